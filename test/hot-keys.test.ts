import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HotKeys } from '../src/server/hot-keys.ts';

test('a key seen more often than 1/capacity of the sightings is reported, never under-counted', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (others, seed) => {
      const capacity = 8;
      const hot = new HotKeys(capacity, 1000);
      // The heavy key takes more than a capacity-th of the stream, spread through it.
      const heavy = Math.floor(others.length / (capacity - 1)) + 1;
      const stream = others.map((k) => `k${k}`);
      for (let i = 0; i < heavy; i++) stream.splice((i * seed) % (stream.length + 1), 0, 'heavy');
      const truth = new Map<string, number>();
      for (const key of stream) {
        hot.add(key, 0);
        truth.set(key, (truth.get(key) ?? 0) + 1);
      }
      const top = hot.top(capacity, 0);
      assert.ok(top.length <= capacity);
      const found = top.find((e) => e.key === 'heavy');
      assert.ok(found, 'the heavy key is kept');
      for (const e of top) assert.ok(e.count >= truth.get(e.key)!, `${e.key}: ${e.count} < ${truth.get(e.key)}`);
    }),
  );
});

test('memory stays bounded whatever the number of keys', () => {
  const hot = new HotKeys(16, 1000);
  for (let i = 0; i < 100_000; i++) hot.add(`key-${i}`, 0);
  assert.equal(hot.top(1_000, 0).length, 16);
  // The previous window plus the current one: at most twice the capacity.
  for (let i = 0; i < 100_000; i++) hot.add(`other-${i}`, 1500);
  assert.equal(hot.top(1_000, 1500).length, 32);
});

test('counts cover the current and the previous window, then fade', () => {
  const hot = new HotKeys(4, 10_000);
  hot.add('a', 0);
  hot.add('a', 5_000);
  hot.add('b', 12_000);
  assert.deepEqual(hot.top(5, 12_000), [{ key: 'a', count: 2 }, { key: 'b', count: 1 }]);
  assert.deepEqual(hot.top(5, 21_999), [{ key: 'a', count: 2 }, { key: 'b', count: 1 }]);
  assert.deepEqual(hot.top(5, 22_000), [{ key: 'b', count: 1 }], 'a is two windows old');
  assert.deepEqual(hot.top(5, 60_000), [], 'nothing recent');
});

test('bad settings are refused', () => {
  assert.throws(() => new HotKeys(0), RangeError);
  assert.throws(() => new HotKeys(4, 0), RangeError);
});
