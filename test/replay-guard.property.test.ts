import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ReplayGuard } from '../src/runtime/replay-guard.ts';

const WINDOW = 1000;

test('replay guard: a signature is admitted once, held while fresh, and forgotten once stale', () => {
  const guard = new ReplayGuard(WINDOW);
  assert.equal(guard.admit('a', 10_000, 10_000), 'first');
  assert.equal(guard.admit('a', 10_000, 10_500), 'replayed');
  assert.equal(guard.admit('b', 10_400, 10_500), 'first');
  assert.equal(guard.size, 2);
  // At 11 001, 'a' (stamped 10 000) is stale: forgotten, and below the floor should it come back.
  assert.equal(guard.admit('c', 11_001, 11_001), 'first');
  assert.equal(guard.size, 2);
  assert.equal(guard.admit('a', 10_000, 11_001), 'forgotten');
  assert.equal(guard.admit('b', 10_400, 11_001), 'replayed');
});

test('replay guard: past its capacity it forgets the oldest and refuses what is stamped no later', () => {
  const guard = new ReplayGuard(WINDOW, 2);
  assert.equal(guard.admit('a', 100, 100), 'first');
  assert.equal(guard.admit('b', 200, 200), 'first');
  assert.equal(guard.admit('c', 300, 300), 'first', "'a' made room");
  assert.equal(guard.size, 2);
  assert.equal(guard.admit('a', 100, 300), 'forgotten');
  assert.equal(guard.admit('d', 100, 300), 'forgotten', 'a genuine signature stamped at the floor is refused too');
  assert.throws(() => new ReplayGuard(WINDOW, 0), RangeError);
});

test('replay guard: whatever the order, the stamps and the clock (even stepping back), no signature is admitted twice and at most capacity are held', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ id: fc.integer({ min: 0, max: 40 }), at: fc.integer({ min: 0, max: 5000 }), now: fc.integer({ min: 0, max: 5000 }) }), {
        minLength: 1,
        maxLength: 400,
      }),
      fc.integer({ min: 1, max: 16 }),
      (requests, capacity) => {
        const guard = new ReplayGuard(WINDOW, capacity);
        const admitted = new Set<string>();
        // A signature is one request: the same id always comes with the same stamp.
        const stamp = new Map<number, number>();
        for (const { id, at, now } of requests) {
          const signature = `sig-${id}`;
          if (!stamp.has(id)) stamp.set(id, at);
          const result = guard.admit(signature, stamp.get(id)!, now);
          if (result === 'first') {
            assert.ok(!admitted.has(signature), `${signature} admitted twice`);
            admitted.add(signature);
          } else if (result === 'replayed') {
            assert.ok(admitted.has(signature), `${signature} called a replay before it was admitted`);
          }
          assert.ok(guard.size <= capacity);
        }
      },
    ),
    { numRuns: 300 },
  );
});
