/** archiver-cli as a real process against a real archiver. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, startArchiver } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';

test('archiver-cli read, read --body, list, export --warc and its errors', async (t) => {
  const dir = tempDir(t);
  const a = await startArchiver(t, { db: join(dir, 'a.db') });
  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const post = async (body: Buffer, headers: Record<string, string>) =>
    (await fetch(`${a.url}/archive`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-archive-status': '200', ...headers }, body: new Uint8Array(body) })).json();
  const text = await post(Buffer.from('<p>hello</p>'), { 'x-archive-content-type': 'text/html', 'x-archive-url': 'https://example.com/' });
  const bin = await post(binary, { 'x-archive-url': 'https://example.com/bin', 'x-archive-status': '404' });
  const env = { ARCHIVER_URL: a.url };

  const read = await run('archiver-cli', ['read', String(text.id)], { env });
  assert.equal(read.code, 0, read.stderr);
  assert.equal(JSON.parse(read.stdout).body, '<p>hello</p>');
  const byHref = await run('archiver-cli', ['read', bin.href, '--archiver', a.url]);
  assert.equal(JSON.parse(byHref.stdout).status, 404);
  const byUrl = await run('archiver-cli', ['read', `${a.url}${bin.href}`]);
  assert.equal(JSON.parse(byUrl.stdout).id, bin.id);

  const raw = await run('archiver-cli', ['read', String(bin.id), '--body'], { env });
  assert.deepEqual(raw.stdoutBytes, binary, 'raw bytes on stdout');
  const file = join(dir, 'out.bin');
  const toFile = await run('archiver-cli', ['read', String(bin.id), '--body', '-o', file], { env });
  assert.equal(toFile.code, 0);
  assert.deepEqual(readFileSync(file), binary);

  const list = await run('archiver-cli', ['list'], { env });
  const rows = list.stdout.trim().split('\n');
  assert.match(rows[0]!, /^ID\s+STATUS\s+SIZE\s+TYPE\s+ARCHIVED\s+URL$/);
  assert.match(rows[1]!, /^2\s+404\s+256 B\s+application\/octet-stream\s+\S+\s+https:\/\/example\.com\/bin$/);
  const jsonl = await run('archiver-cli', ['list', '--json'], { env });
  assert.deepEqual(jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l).id), [2, 1]);

  const warc = await run('archiver-cli', ['export', '--warc'], { env });
  assert.equal(warc.code, 0, warc.stderr);
  const records = warc.stdoutBytes.toString('latin1').split('WARC/1.1\r\n').slice(1);
  assert.equal(records.length, 3, 'warcinfo + 2 responses');
  assert.match(records[1]!, /WARC-Type: response\r\n/);
  assert.match(records[1]!, /WARC-Target-URI: https:\/\/example\.com\/bin\r\n/);
  assert.match(records[1]!, /\r\n\r\nHTTP\/1\.1 404 Not Found\r\n/);
  // Content-Length of each record covers exactly its HTTP block
  for (const rec of records.slice(1)) {
    const len = Number(/Content-Length: (\d+)\r\n/.exec(rec)![1]);
    const block = rec.slice(rec.indexOf('\r\n\r\n') + 4);
    assert.equal(Buffer.byteLength(block, 'latin1'), len + 4, 'block plus the closing CRLFCRLF');
  }

  const missing = await run('archiver-cli', ['read', '999'], { env });
  assert.notEqual(missing.code, 0);
  assert.equal(missing.stderr.trim(), 'not_found: archive 999 does not exist');
  const bad = await run('archiver-cli', ['read', 'nonsense'], { env });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr.trim(), /^invalid_id: /);
  await a.stop();
  const down = await run('archiver-cli', ['list'], { env });
  assert.notEqual(down.code, 0);
  const lines = down.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^archiver_unavailable: cannot reach the archiver at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)$/);
});
