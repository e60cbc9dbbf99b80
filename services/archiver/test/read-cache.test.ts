/** The archiver's read cache: a byte-bounded LRU, most recently read kept longest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadCache } from '../src/read-cache.ts';

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

test('read cache: the least recently used goes first when over budget', () => {
  const cache = new ReadCache(800); // entries up to 100 bytes
  for (let id = 1; id <= 8; id++) cache.set(id, bytes(100, id));
  // Reading 1 (twice: the second read is of the newest) makes 2 the oldest.
  assert.equal(cache.get(1)![0], 1);
  assert.equal(cache.get(1)![0], 1);
  cache.set(9, bytes(100, 9));
  assert.equal(cache.get(2), undefined, 'the least recently used was evicted');
  assert.equal(cache.get(1)![0], 1, 'the recently read one stayed');
  // Now 3 is the oldest: the newest (1, read again) must not be reordered behind it.
  cache.set(10, bytes(100, 10));
  assert.equal(cache.get(3), undefined);
  for (const id of [1, 4, 5, 6, 7, 8, 9, 10]) assert.ok(cache.get(id), `id ${id} kept`);
});

test('read cache: a replaced value is the newest and counts once; a value over an eighth of the budget is not cached', () => {
  const cache = new ReadCache(800);
  for (let id = 1; id <= 8; id++) cache.set(id, bytes(100, id));
  cache.set(1, bytes(100, 11)); // replaced: newest now, the budget still full, nothing evicted
  for (let id = 1; id <= 8; id++) assert.ok(cache.get(id), `id ${id} kept`);
  assert.equal(cache.get(1)![0], 11);
  // Order now 2..8 then 1 (read last): a new entry evicts 2.
  cache.get(1);
  cache.set(9, bytes(100, 9));
  assert.equal(cache.get(2), undefined);
  cache.set(10, bytes(101));
  assert.equal(cache.get(10), undefined, 'over an eighth of 800 bytes');
  assert.ok(cache.get(3), 'nothing evicted for a value not cached');
});
