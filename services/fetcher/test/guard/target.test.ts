import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '@tfa/service-kit/errors';
import { parseAllowList } from '../../src/guard/allowlist.ts';
import { checkLiteralTarget, parseTarget } from '../../src/guard/target.ts';

const none = parseAllowList('');
const isCode = (code: string, detail?: RegExp) => (err: unknown) =>
  err instanceof AppError && err.code === code && (detail === undefined || detail.test(err.detail));

// [URL as a user might write it, the host the guard sees, the reason it is blocked]
const literals: [string, string, string][] = [
  ['http://2130706433/', '127.0.0.1', '127.0.0.1 is a loopback address'],
  ['http://0x7f.1/', '127.0.0.1', '127.0.0.1 is a loopback address'],
  ['http://0177.0.0.1/', '127.0.0.1', '127.0.0.1 is a loopback address'],
  ['http://127.1/', '127.0.0.1', '127.0.0.1 is a loopback address'],
  ['http://%31%32%37.0.0.1/', '127.0.0.1', '127.0.0.1 is a loopback address'],
  ['http://127.0.0.1./', '127.0.0.1', '127.0.0.1 is a loopback address'],
  ['https://0xA9FEA9FE/latest/meta-data/', '169.254.169.254', '169.254.169.254 is a link-local address (cloud metadata)'],
  ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1', '::ffff:7f00:1 embeds 127.0.0.1, a loopback address'],
  ['http://[::1]:8080/', '::1', '::1 is a loopback address'],
  ['http://[::]/', '::', ':: is an unspecified address'],
  ['http://0/', '0.0.0.0', '0.0.0.0 is an unspecified address'],
  ['http://10.1/', '10.0.0.1', '10.0.0.1 is a private address'],
  ['http://[fd00:ec2::254]/', 'fd00:ec2::254', 'fd00:ec2::254 is a unique local address (cloud metadata)'],
];

for (const [url, host, reason] of literals) {
  test(`${url} is seen as ${host} and blocked before connecting`, () => {
    const target = parseTarget(url);
    assert.equal(target.hostname, host);
    assert.throws(() => checkLiteralTarget(none, target), isCode('blocked_destination', new RegExp(`^${reason.replace(/[.()[\]]/g, '\\$&')}$`)));
  });
}

test('names pass the literal check: they are checked when they resolve', () => {
  const target = parseTarget('http://localhost./');
  assert.equal(target.hostname, 'localhost.');
  checkLiteralTarget(none, target);
});

test('a public literal passes and the port defaults from the scheme', () => {
  const target = parseTarget('https://8.8.8.8/dns?q=1#frag');
  assert.equal(target.port, 443);
  assert.equal(target.url.href, 'https://8.8.8.8/dns?q=1');
  checkLiteralTarget(none, target);
  assert.equal(parseTarget('http://example.com:8080/').port, 8080);
});

test('a literal private address passes when the allow list names it', () => {
  checkLiteralTarget(parseAllowList('127.0.0.1:8080'), parseTarget('http://127.1:8080/'));
  assert.throws(() => checkLiteralTarget(parseAllowList('127.0.0.1:8080'), parseTarget('http://127.1:8081/')), isCode('blocked_destination'));
});

// [input, code, detail]
const refused: [string, string, RegExp][] = [
  ['not a url', 'invalid_url', /^"not a url" is not a valid URL$/],
  ['', 'invalid_url', /is not a valid URL/],
  ['http://[fe80::1%25eth0]/', 'invalid_url', /is not a valid URL/],
  ['http://user:secret@example.com/', 'invalid_url', /user name or password/],
  ['https://token@example.com/', 'invalid_url', /user name or password/],
  ['ftp://example.com/file', 'unsupported_scheme', /^ftp URLs are not fetched: only http and https$/],
  ['file:///etc/passwd', 'unsupported_scheme', /^file URLs/],
  ['javascript:alert(1)', 'unsupported_scheme', /^javascript URLs/],
  ['gopher://127.0.0.1:6379/_INFO', 'unsupported_scheme', /^gopher URLs/],
];

for (const [input, code, detail] of refused) {
  test(`parseTarget(${JSON.stringify(input)}) is ${code}`, () => {
    assert.throws(() => parseTarget(input), isCode(code, detail));
  });
}

test('a relative redirect resolves against the current URL', () => {
  assert.equal(parseTarget('../b?x=1', new URL('http://example.com/a/c')).url.href, 'http://example.com/b?x=1');
});
