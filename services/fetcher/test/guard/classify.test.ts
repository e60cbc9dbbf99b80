import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAddress } from '../../src/guard/classify.ts';

// [address, the user-facing reason, or null when the address is public]
const table: [string, string | null][] = [
  ['127.0.0.1', '127.0.0.1 is a loopback address'],
  ['127.255.0.9', '127.255.0.9 is a loopback address'],
  ['0.0.0.0', '0.0.0.0 is an unspecified address'],
  ['0.1.2.3', '0.1.2.3 is an unspecified address'],
  ['10.0.0.1', '10.0.0.1 is a private address'],
  ['172.16.0.1', '172.16.0.1 is a private address'],
  ['172.31.255.255', '172.31.255.255 is a private address'],
  ['192.168.1.1', '192.168.1.1 is a private address'],
  ['100.64.0.1', '100.64.0.1 is a carrier-grade NAT address'],
  ['169.254.169.254', '169.254.169.254 is a link-local address (cloud metadata)'],
  ['169.254.1.1', '169.254.1.1 is a link-local address'],
  ['224.0.0.1', '224.0.0.1 is a multicast address'],
  ['255.255.255.255', '255.255.255.255 is the broadcast address'],
  ['240.0.0.1', '240.0.0.1 is a reserved address'],
  ['192.0.0.8', '192.0.0.8 is an IETF protocol assignment address'],
  ['192.0.2.1', '192.0.2.1 is a documentation address'],
  ['198.51.100.7', '198.51.100.7 is a documentation address'],
  ['203.0.113.9', '203.0.113.9 is a documentation address'],
  ['198.18.0.1', '198.18.0.1 is a benchmarking address'],
  ['198.19.255.1', '198.19.255.1 is a benchmarking address'],
  ['192.88.99.1', '192.88.99.1 is a special-purpose address'],
  ['::', ':: is an unspecified address'],
  ['::1', '::1 is a loopback address'],
  ['fc00::1', 'fc00::1 is a unique local address'],
  ['fd12::1', 'fd12::1 is a unique local address'],
  ['fd00:ec2::254', 'fd00:ec2::254 is a unique local address (cloud metadata)'],
  ['fe80::1%eth0', 'fe80::1 is a link-local address'],
  ['fec0::1', 'fec0::1 is a site-local address'],
  ['ff02::1', 'ff02::1 is a multicast address'],
  ['2001:db8::1', '2001:db8::1 is a documentation address'],
  ['100::1', '100::1 is a discard-only address'],
  ['2001:2::1', '2001:2::1 is a benchmarking address'],
  ['64:ff9b:1::a00:1', '64:ff9b:1::a00:1 is a local-use NAT64 address'],
  ['::ffff:10.0.0.1', '::ffff:10.0.0.1 embeds 10.0.0.1, a private address'],
  ['::ffff:7f00:1', '::ffff:7f00:1 embeds 127.0.0.1, a loopback address'],
  ['::ffff:169.254.169.254', '::ffff:169.254.169.254 embeds 169.254.169.254, a link-local address (cloud metadata)'],
  ['::ffff:0:7f00:1', '::ffff:0:7f00:1 embeds 127.0.0.1, a loopback address'],
  ['::127.0.0.1', '::127.0.0.1 embeds 127.0.0.1, a loopback address'],
  ['::7f00:1', '::7f00:1 embeds 127.0.0.1, a loopback address'],
  ['::8.8.8.8', '::8.8.8.8 is a deprecated IPv4-compatible address'],
  ['64:ff9b::7f00:1', '64:ff9b::7f00:1 embeds 127.0.0.1, a loopback address'],
  ['64:ff9b::10.1.2.3', '64:ff9b::10.1.2.3 embeds 10.1.2.3, a private address'],
  ['2002:7f00:1::', '2002:7f00:1:: embeds 127.0.0.1, a loopback address'],
  ['2002:a9fe:a9fe::1', '2002:a9fe:a9fe::1 embeds 169.254.169.254, a link-local address (cloud metadata)'],
  // Teredo: the client IPv4 is the last 32 bits inverted; 80ff:fffe ^ ffff:ffff = 7f00:0001.
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', '2001:0:4136:e378:8000:63bf:80ff:fffe embeds 127.0.0.1, a loopback address'],
  ['[::1]', '::1 is a loopback address'],
  ['127.1', '127.1 is not an IP address'],
  ['localhost', 'localhost is not an IP address'],
  ['', 'an empty host is not an IP address'],
  // Public addresses, and public IPv4 inside the IPv6 forms that carry one.
  ['8.8.8.8', null],
  ['1.1.1.1', null],
  ['93.184.216.34', null],
  ['2606:4700:4700::1111', null],
  ['2001:4860:4860::8888', null],
  ['::ffff:8.8.8.8', null],
  ['64:ff9b::808:808', null],
  ['2002:808:808::1', null],
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', null],
];

for (const [address, reason] of table) {
  test(`classifyAddress(${JSON.stringify(address)})`, () => {
    assert.deepEqual(classifyAddress(address), reason === null ? { blocked: false } : { blocked: true, reason });
  });
}
