/**
 * fetcher-cli: drive the fetcher.
 *   fetcher-cli fetch <url>
 *   fetcher-cli fetch fetcher /fetch/<url>     (the original example's form)
 */
import { fetchVia } from '@tfa/fetcher/client';
import { helpText, parseBaseUrl, parseConfig, runMain } from '@tfa/service-kit/config';
import { fail } from './output.ts';

const settings = {
  fetcher: { flag: 'fetcher', env: 'FETCHER_URL', default: 'http://127.0.0.1:8081', parse: parseBaseUrl, doc: 'fetcher base URL' },
  help: { flag: 'help', short: 'h', boolean: true, parse: (r: string) => r === 'true', doc: 'show this help' },
};
const usage = 'fetch <url> | fetch fetcher /fetch/<url>';

/** Accepts `<url>` or the original `fetcher /fetch/<url>` pair. */
export function targetOf(args: string[]): string | undefined {
  if (args.length === 1) return args[0];
  if (args.length === 2 && args[0] === 'fetcher' && args[1]!.startsWith('/fetch/')) return args[1]!.slice('/fetch/'.length);
  return undefined;
}

await runMain(async () => {
  const { values: cfg, positionals } = parseConfig('fetcher-cli', settings, undefined, undefined, { positionals: true });
  const [command, ...args] = positionals;
  if (cfg.help || command !== 'fetch') {
    process.stdout.write(`${helpText('fetcher-cli', usage, settings)}\n`);
    if (!cfg.help) process.exit(2);
    return;
  }
  const target = targetOf(args);
  if (!target) fail(new Error(`usage: fetcher-cli ${usage}`), 2);
  try {
    const { result } = await fetchVia(cfg.fetcher, target);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (result.trace_id) process.stderr.write(`trace_id: ${result.trace_id}\n`);
  } catch (err) {
    fail(err);
  }
});
