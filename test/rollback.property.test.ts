import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { rollBack, saveForRollback } from '../src/objects/rollback.ts';

/** A class instance inside the state: a restore must keep it an instance. */
class Point {
  constructor(
    public x: unknown,
    public y: unknown,
  ) {}
}

/** Every object reachable from `root`, depth first, in a stable order. */
function reachable(root: object): object[] {
  const seen = new Set<object>();
  const out: object[] = [];
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    out.push(v);
    if (ArrayBuffer.isView(v) || v instanceof Date) return;
    if (v instanceof Map) for (const [k, x] of v) (visit(k), visit(x));
    else if (v instanceof Set) for (const x of v) visit(x);
    else for (const k of Reflect.ownKeys(v)) visit((v as Record<string | symbol, unknown>)[k]);
  };
  visit(root);
  return out;
}

/** One change to one of the objects a state holds (chosen by index, so shrinking works). */
type Change = { target: number; op: number; key: number; value: unknown };

function apply(state: object, { target, op, key, value }: Change): void {
  const objects = reachable(state);
  const o = objects[target % objects.length]!;
  const other = objects[key % objects.length];
  if (Array.isArray(o)) {
    [() => o.push(value), () => o.pop(), () => (o[key % (o.length + 1)] = value), () => o.splice(0, 1), () => o.push(other)][op % 5]!();
  } else if (o instanceof Map) {
    [() => o.set(key % 4, value), () => o.delete([...o.keys()][key % (o.size || 1)]), () => o.clear(), () => o.set(other, other)][op % 4]!();
  } else if (o instanceof Set) {
    [() => o.add(value), () => o.delete([...o][key % (o.size || 1)]), () => o.clear()][op % 3]!();
  } else if (o instanceof Date) {
    o.setTime(key);
  } else if (ArrayBuffer.isView(o)) {
    const bytes = new Uint8Array(o.buffer, o.byteOffset, o.byteLength);
    if (bytes.length > 0) bytes[key % bytes.length] = op % 256;
  } else {
    const fields = o as Record<string, unknown>;
    const keys = Object.keys(fields);
    [
      () => (fields[`k${key % 5}`] = value),
      () => delete fields[keys[key % (keys.length || 1)]!],
      () => (fields[keys[key % (keys.length || 1)] ?? 'extra'] = other),
      () => Object.setPrototypeOf(fields, null),
    ][op % 4]!();
  }
}

// Dates come separately: assert.deepStrictEqual never finds two invalid dates equal.
const value = fc.anything({ withMap: true, withSet: true, withTypedArray: true, maxDepth: 3 });
const change = fc.record({ target: fc.nat(), op: fc.nat(), key: fc.nat(), value });

test('a restore after any changes gives back the same objects holding what they held', () => {
  fc.assert(
    fc.property(value, value, fc.date({ noInvalidDate: true }), fc.array(change, { maxLength: 12 }), (a, b, when, changes) => {
      const shared = [a];
      const map = new Map<unknown, unknown>([['a', a], [when, b]]);
      const state = { a, b, point: new Point(a, [b]), list: shared, alias: shared, map };
      const before = structuredClone({ ...state, point: { ...state.point } });
      const objects = reachable(state);
      const point = saveForRollback(state);
      for (const c of changes) apply(state, c);
      rollBack(point);
      assert.deepStrictEqual({ ...state, point: { ...state.point } }, before);
      assert.ok(state.point instanceof Point);
      assert.equal(state.list, state.alias);
      const after = reachable(state);
      assert.equal(after.length, objects.length);
      after.forEach((o, i) => assert.equal(o, objects[i], 'the same object, not a copy'));
    }),
    { numRuns: 300 },
  );
});

test('an own field named __proto__ is restored as a field, and the prototype stays', () => {
  const state = JSON.parse('{"__proto__": [1, 2], "n": 1}') as Record<string, unknown>;
  const point = saveForRollback(state);
  state['n'] = 2;
  delete state['__proto__'];
  rollBack(point);
  assert.deepEqual(Object.getOwnPropertyDescriptor(state, '__proto__')?.value, [1, 2]);
  assert.equal(Object.getPrototypeOf(state), Object.prototype);
  assert.equal(state['n'], 1);
});
