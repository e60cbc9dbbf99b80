import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllowList } from '../../src/guard/allowlist.ts';

const d = (hostname: string, port: number, address: string) => ({ hostname, port, address });

// [spec, destination, allowed?]
const matches: [string, ReturnType<typeof d>, boolean][] = [
  ['', d('localhost', 80, '127.0.0.1'), false],
  [' , ,', d('localhost', 80, '127.0.0.1'), false],
  ['localhost', d('localhost', 80, '127.0.0.1'), true],
  ['localhost', d('LOCALHOST.', 8080, '::1'), true],
  ['LocalHost.', d('localhost', 80, '127.0.0.1'), true],
  ['localhost', d('127.0.0.1', 80, '127.0.0.1'), false],
  ['localhost', d('evil.localhost', 80, '127.0.0.1'), false],
  ['localhost:8080', d('localhost', 8080, '127.0.0.1'), true],
  ['localhost:8080', d('localhost', 8081, '127.0.0.1'), false],
  ['intranet.example, 10.0.0.0/8', d('other.example', 443, '10.2.3.4'), true],
  ['10.0.0.0/8', d('other.example', 443, '11.2.3.4'), false],
  ['10.0.0.0/8', d('other.example', 443, '::ffff:10.2.3.4'), true],
  ['10.1.2.3', d('x.example', 80, '10.1.2.3'), true],
  ['10.1.2.3', d('x.example', 80, '10.1.2.4'), false],
  ['10.1.2.3:9000', d('x.example', 9000, '10.1.2.3'), true],
  ['10.1.2.3:9000', d('x.example', 80, '10.1.2.3'), false],
  ['127.0.0.1:5000', d('127.0.0.1', 5000, '127.0.0.1'), true],
  ['127.0.0.1:5000', d('127.0.0.1', 5001, '127.0.0.1'), false],
  ['fd00::/8', d('v6.example', 80, 'fd12::1'), true],
  ['fd00::/8', d('v6.example', 80, 'fe80::1'), false],
  ['fd00::/8', d('v6.example', 80, '10.0.0.1'), false],
  ['::1', d('::1', 80, '::1'), true],
  ['[::1]:8080', d('[::1]', 8080, '::1'), true],
  ['[::1]:8080', d('::1', 8081, '::1'), false],
  ['[::1]', d('x', 1, '::1'), true],
  ['::ffff:10.0.0.1', d('x', 1, '10.0.0.1'), true],
  ['::ffff:10.0.0.0/104', d('x', 1, '10.9.9.9'), true],
  ['169.254.169.254/32', d('x', 80, '169.254.169.253'), false],
];

for (const [spec, destination, expected] of matches) {
  test(`allow list ${JSON.stringify(spec)} ${expected ? 'allows' : 'refuses'} ${JSON.stringify(destination)}`, () => {
    assert.equal(parseAllowList(spec).allows(destination), expected);
  });
}

// [spec, the part of the message that names the problem]
const bad: [string, RegExp][] = [
  ['localhost:0', /"localhost:0" has a port outside 1-65535/],
  ['localhost:99999', /"localhost:99999" has a port/],
  ['localhost:', /"localhost:" has a port/],
  ['localhost:http', /"localhost:http" has a port/],
  ['good.example, bad host', /"bad host" is not a valid host name/],
  ['10.0.0.0/33', /"10.0.0.0\/33" is not a valid CIDR/],
  ['10.0.0/8', /"10.0.0\/8" is not a valid CIDR/],
  ['fd00::/129', /"fd00::\/129" is not a valid CIDR/],
  ['[localhost]:80', /"\[localhost\]:80" does not hold a valid IPv6 address/],
  ['[::1]:', /"\[::1\]:" has a port/],
  ['fe80::1%eth0', /"fe80::1%eth0" is not a valid IPv6/],
  ['::1:2:3:4:5:6:7:8:9', /is not a valid IPv6 address \(write \[v6\]:port/],
  ['127.1', /"127.1" looks like an IP address/],
  ['0x7f.0.0.1', /"0x7f.0.0.1" looks like an IP address/],
  ['http://example.com', /"http:\/\/example.com"/],
  ['-bad-.example', /"-bad-.example" is not a valid host name/],
];

for (const [spec, message] of bad) {
  test(`allow list ${JSON.stringify(spec)} is refused with a message naming the entry`, () => {
    assert.throws(() => parseAllowList(spec), (err: Error) => err.constructor === Error && message.test(err.message));
  });
}

test('allow list keeps the entries as written', () => {
  assert.deepEqual(parseAllowList(' a.example ,10.0.0.0/8,,[::1]:80 ').entries, ['a.example', '10.0.0.0/8', '[::1]:80']);
});
