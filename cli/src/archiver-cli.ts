/**
 * archiver-cli: read, list and export archives through the typed client.
 *   archiver-cli read <id|href> [--body] [-o FILE]
 *   archiver-cli read archiver /archive/<id>    (the original example's form)
 *   archiver-cli list [--json] [--limit N] [--url URL]
 *   archiver-cli export --warc [-o FILE]
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ArchiverClient } from '@tfa/archiver/client';
import { helpText, parseBaseUrl, parseConfig, parseIntIn, runMain } from '@tfa/service-kit/config';
import { fail, humanBytes, progress, table } from './output.ts';
import { responseRecord, warcinfo } from './warc.ts';

const settings = {
  archiver: { flag: 'archiver', env: 'ARCHIVER_URL', default: 'http://127.0.0.1:8080', parse: parseBaseUrl, doc: 'archiver base URL' },
  body: { flag: 'body', boolean: true, parse: (r: string) => r === 'true', doc: 'read: write the raw bytes instead of the JSON media' },
  output: { flag: 'output', short: 'o', parse: (r: string) => r, doc: 'write to this file instead of stdout' },
  json: { flag: 'json', boolean: true, parse: (r: string) => r === 'true', doc: 'list: JSON lines instead of a table' },
  limit: { flag: 'limit', default: '50', parse: parseIntIn(1, 1000), doc: 'list: how many' },
  url: { flag: 'url', parse: (r: string) => r, doc: 'list: only archives of this URL' },
  warc: { flag: 'warc', boolean: true, parse: (r: string) => r === 'true', doc: 'export: as WARC/1.1' },
  help: { flag: 'help', short: 'h', boolean: true, parse: (r: string) => r === 'true', doc: 'show this help' },
};
const usage = 'read <id|href> [--body] [-o FILE] | read archiver /archive/<id> | list [--json] | export --warc [-o FILE]';

/** Accepts `<id|href>` or the original `archiver /archive/<id>` pair. */
export function archiveOf(args: string[]): string | undefined {
  if (args.length === 1) return args[0];
  if (args.length === 2 && args[0] === 'archiver' && args[1]!.startsWith('/archive/')) return args[1];
  return undefined;
}

await runMain(async () => {
  const { values: cfg, positionals } = parseConfig('archiver-cli', settings, undefined, undefined, { positionals: true });
  const [command, ...args] = positionals;
  if (cfg.help || !command) {
    process.stdout.write(`${helpText('archiver-cli', usage, settings)}\n`);
    if (!command && !cfg.help) process.exit(2);
    return;
  }
  const client = new ArchiverClient({ baseUrl: cfg.archiver });
  const out: Writable = cfg.output ? createWriteStream(cfg.output) : process.stdout;
  try {
    if (command === 'read') {
      const archive = archiveOf(args);
      if (!archive) fail(new Error('usage: archiver-cli read <id|href> [--body] [-o FILE] | read archiver /archive/<id>'), 2);
      if (cfg.body) {
        const { size, body } = await client.body(archive);
        const bar = progress(size, process.stderr);
        for await (const chunk of body) {
          bar.add(chunk.length);
          if (!out.write(chunk)) await once(out, 'drain');
        }
        bar.done();
      } else {
        out.write(`${JSON.stringify(await client.get(archive), null, 2)}\n`);
      }
    } else if (command === 'list') {
      const page = await client.list({ limit: cfg.limit, url: cfg.url });
      if (cfg.json) for (const a of page.items) out.write(`${JSON.stringify(a)}\n`);
      else
        out.write(
          `${table(
            ['ID', 'STATUS', 'SIZE', 'TYPE', 'ARCHIVED', 'URL'],
            page.items.map((a) => [String(a.id), String(a.status), humanBytes(a.size), (a.content_type ?? '-').split(';')[0]!, a.archived_at, a.url ?? '-']),
          )}\n`,
        );
    } else if (command === 'export') {
      if (!cfg.warc) fail(new Error('usage: archiver-cli export --warc [-o FILE] (WARC is the only export format)'), 2);
      await exportWarc(client, out);
    } else {
      fail(new Error(`unknown command ${JSON.stringify(command)}; usage: archiver-cli ${usage}`), 2);
    }
  } catch (err) {
    fail(err);
  }
  if (cfg.output) {
    out.end();
    await once(out, 'finish');
  }
});

/** Writes every archive with a URL as a WARC response record, oldest page last. */
async function exportWarc(client: ArchiverClient, out: Writable): Promise<void> {
  out.write(warcinfo('traced-fetcher-archiver archiver-cli'));
  let cursor: string | undefined;
  let written = 0;
  let skipped = 0;
  do {
    const page = await client.list({ limit: 1000, cursor });
    for (const a of page.items) {
      if (!a.url) {
        skipped++;
        continue;
      }
      const { head, tail } = responseRecord({ ...a, url: a.url });
      out.write(head);
      const { body } = await client.body(a.id);
      for await (const chunk of body) if (!out.write(chunk)) await once(out, 'drain');
      if (!out.write(tail)) await once(out, 'drain');
      written++;
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  process.stderr.write(`exported ${written} archives${skipped ? ` (${skipped} without a URL skipped)` : ''}\n`);
}
