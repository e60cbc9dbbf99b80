/** The original example's CLI forms, against a real fetcher and archiver. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, startArchiver, startFetcher } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';
import { startSite } from '../../services/fetcher/test/sites.ts';

test('fetcher-cli fetch fetcher /fetch/<url>, then archiver-cli read archiver /archive/<id>', async (t) => {
  const dir = tempDir(t);
  const site = await startSite(t);
  const archiver = await startArchiver(t, { db: join(dir, 'a.db') });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port}` });

  const fetched = await run('fetcher-cli', ['fetch', 'fetcher', `/fetch/${site.url}/text`], { env: { FETCHER_URL: fetcher.url } });
  assert.equal(fetched.code, 0, fetched.stderr);
  const answer = JSON.parse(fetched.stdout);
  assert.equal(answer.status, 200);
  assert.match(answer.archive_href, /^\/archive\/[0-9]+$/, "the original's archive_href");
  assert.equal(answer.archive_url, `${archiver.url}${answer.archive_href}`);

  const read = await run('archiver-cli', ['read', 'archiver', answer.archive_href], { env: { ARCHIVER_URL: archiver.url } });
  assert.equal(read.code, 0, read.stderr);
  const media = JSON.parse(read.stdout);
  assert.equal(media.href, answer.archive_href);
  assert.equal(media.status, 200);
  assert.equal(media.url, `${site.url}/text`);
  assert.equal(media.body, '<h1>héllo</h1>');

  const wrong = await run('archiver-cli', ['read', 'fetcher', answer.archive_href], { env: { ARCHIVER_URL: archiver.url } });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^usage: archiver-cli read /);
});
