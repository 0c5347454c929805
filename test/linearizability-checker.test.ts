import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  checkLinearizable,
  counterModel,
  registerModel,
  type CounterInput,
  type Operation,
  type RegisterInput,
} from './support/linearizability.ts';

const UNKNOWN = Number.POSITIVE_INFINITY;

function reg(client: number, input: RegisterInput, output: unknown, invoked: number, returned: number): Operation<RegisterInput, unknown> {
  return { key: 'r', client, input, output, invoked, returned };
}
function ctr(client: number, input: CounterInput, output: unknown, invoked: number, returned: number, key = 'c'): Operation<CounterInput, unknown> {
  return { key, client, input, output, invoked, returned };
}

test('a read concurrent with a write may see either value, but not go back once the new one was seen', () => {
  const write = reg(0, { op: 'set', value: 'a' }, null, 0, 10);
  assert.ok(checkLinearizable([write, reg(1, { op: 'get' }, null, 1, 2), reg(1, { op: 'get' }, 'a', 3, 4)], registerModel).ok);
  const verdict = checkLinearizable([write, reg(1, { op: 'get' }, 'a', 1, 2), reg(2, { op: 'get' }, null, 3, 4)], registerModel);
  assert.equal(verdict.ok, false);
  assert.ok(!verdict.ok && verdict.key === 'r' && verdict.stuck.length > 0);
});

test('a read that starts after a write returned must see it (no stale reads)', () => {
  const history = [reg(0, { op: 'set', value: 'a' }, null, 0, 1), reg(1, { op: 'get' }, null, 2, 3)];
  assert.equal(checkLinearizable(history, registerModel).ok, false);
});

test('two increments that both answer 1 are a lost update; 1 and 2 in either order are fine', () => {
  const inc = { op: 'addAndGet', delta: 1 } as const;
  assert.equal(checkLinearizable([ctr(0, inc, 1, 0, 5), ctr(1, inc, 1, 1, 6)], counterModel).ok, false);
  assert.ok(checkLinearizable([ctr(0, inc, 2, 0, 5), ctr(1, inc, 1, 1, 6)], counterModel).ok);
});

test('an operation of unknown outcome may have taken effect at any point after its invocation, or never', () => {
  const lost = ctr(0, { op: 'addAndGet', delta: 1 }, undefined, 0, UNKNOWN);
  assert.ok(checkLinearizable([lost, ctr(1, { op: 'get' }, 0, 5, 6)], counterModel).ok);
  assert.ok(checkLinearizable([lost, ctr(1, { op: 'get' }, 1, 5, 6)], counterModel).ok);
  assert.equal(checkLinearizable([lost, ctr(1, { op: 'get' }, 2, 5, 6)], counterModel).ok, false, 'applied twice');
  // Once seen applied, it cannot be unapplied.
  assert.equal(checkLinearizable([lost, ctr(1, { op: 'get' }, 1, 5, 6), ctr(1, { op: 'get' }, 0, 7, 8)], counterModel).ok, false);
});

test('objects are checked apart: a violation on one key is reported with that key', () => {
  const fine = ctr(0, { op: 'addAndGet', delta: 3 }, 3, 0, 1, 'a');
  const stale = [ctr(0, { op: 'set', value: 5 }, null, 0, 1, 'b'), ctr(1, { op: 'get' }, 0, 2, 3, 'b')];
  const verdict = checkLinearizable([fine, ...stale], counterModel);
  assert.ok(!verdict.ok && verdict.key === 'b');
});

test('an operation that returns before it is invoked is refused', () => {
  assert.throws(() => checkLinearizable([ctr(0, { op: 'get' }, 0, 5, 4)], counterModel), RangeError);
});

/**
 * Histories that are linearizable by construction: each client runs operations one after another;
 * each operation takes effect at a point inside its [invoked, returned] interval; outputs come
 * from applying the operations in the order of those points.
 */
const linearizable = fc
  .array(
    fc.record({
      client: fc.integer({ min: 0, max: 4 }),
      input: fc.oneof(
        fc.constant<CounterInput>({ op: 'get' }),
        fc.integer({ min: 1, max: 3 }).map<CounterInput>((delta) => ({ op: 'addAndGet', delta })),
        fc.integer({ min: 0, max: 6 }).map<CounterInput>((value) => ({ op: 'set', value })),
        fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })).map<CounterInput>(([expected, next]) => ({ op: 'compareAndSet', expected, next })),
      ),
      before: fc.integer({ min: 0, max: 30 }),
      after: fc.integer({ min: 0, max: 30 }),
      gap: fc.integer({ min: 1, max: 20 }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((specs) => {
    // Points in time, increasing: spec i takes effect at point[i]. A client's next operation is
    // invoked after its previous one returned.
    let t = 0;
    let state = 0;
    const freeAt = new Map<number, number>();
    const ops: Operation<CounterInput, unknown>[] = [];
    for (const s of specs) {
      t += s.gap;
      const invoked = Math.max(t - s.before, freeAt.get(s.client) ?? 0);
      const point = Math.max(t, invoked);
      t = point;
      const next = counterModel.step(state, s.input, undefined)!;
      const output =
        s.input.op === 'get' ? state : s.input.op === 'addAndGet' ? next : s.input.op === 'compareAndSet' ? state === s.input.expected : null;
      state = next;
      const returned = point + s.after;
      freeAt.set(s.client, returned + 1);
      ops.push({ key: 'c', client: s.client, input: s.input, output, invoked, returned });
    }
    return ops;
  });

test('every history built from a sequential run with overlapping intervals is accepted (property)', () => {
  fc.assert(
    fc.property(linearizable, (ops) => {
      assert.ok(checkLinearizable(ops, counterModel).ok);
    }),
    { numRuns: 300 },
  );
});

test('a read answering a value the counter never held is rejected (property)', () => {
  fc.assert(
    fc.property(linearizable, fc.nat(), (ops, pick) => {
      const reads = ops.map((op, i) => [op, i] as const).filter(([op]) => op.input.op === 'get');
      fc.pre(reads.length > 0);
      const [, i] = reads[pick % reads.length]!;
      const broken = ops.map((op, j) => (j === i ? { ...op, output: -1 } : op));
      assert.equal(checkLinearizable(broken, counterModel).ok, false);
    }),
    { numRuns: 300 },
  );
});
