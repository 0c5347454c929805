import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AtomicReferenceState, AtomicReferenceType } from '../src/objects/atomic-reference.ts';
import { decodeState, encodeState } from '../src/objects/state-codec.ts';
import { ObjectRef } from '../src/protocol/codec.ts';

/**
 * Walks `a` and `b` side by side and checks that one object of `a` always corresponds to one
 * object of `b`, both ways: aliasing and cycles came back as they were.
 */
function sameIdentities(a: unknown, b: unknown): void {
  const there = new Map<object, object>();
  const back = new Map<object, object>();
  const pending: [unknown, unknown][] = [[a, b]];
  for (let pair = pending.pop(); pair; pair = pending.pop()) {
    const [x, y] = pair;
    if (x === null || typeof x !== 'object' || x instanceof ObjectRef) continue;
    assert.ok(y !== null && typeof y === 'object');
    if (there.has(x) || back.has(y)) {
      assert.equal(there.get(x), y);
      assert.equal(back.get(y), x);
      continue;
    }
    there.set(x, y);
    back.set(y, x);
    if (x instanceof Map) [...x].forEach(([k, v], i) => pending.push([k, [...(y as Map<unknown, unknown>).keys()][i]], [v, (y as Map<unknown, unknown>).get([...(y as Map<unknown, unknown>).keys()][i])]));
    else if (x instanceof Set) [...x].forEach((v, i) => pending.push([v, [...(y as Set<unknown>)][i]]));
    else if (ArrayBuffer.isView(x)) pending.push([x.buffer, (y as ArrayBufferView).buffer]);
    else if (!(x instanceof Date)) for (const k of Object.keys(x)) pending.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
  }
}

// No sparse arrays (a hole comes back as undefined), no boxed values (class instances) and no
// invalid dates (assert.deepStrictEqual never finds two equal).
const leaf = fc.anything({
  withMap: true, withSet: true, withTypedArray: true, withBigInt: true, withNullPrototype: true, maxDepth: 2,
});
const date = fc.date({ noInvalidDate: true });
const ref = fc.tuple(fc.constantFrom('AtomicLong', 'SharedMap'), fc.string()).map(([t, k]) => new ObjectRef(t, k));

/**
 * A state built from `parts`, where `links` put some parts into several places (and into a
 * container that holds itself), so objects are shared and cycles exist.
 */
const state = fc
  .record({
    parts: fc.array(fc.oneof(leaf, date, ref), { minLength: 1, maxLength: 8 }),
    links: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('array', 'map', 'set', 'object')), { maxLength: 10 }),
  })
  .map(({ parts, links }) => {
    const containers: Record<string, unknown> = { array: [] as unknown[], map: new Map(), set: new Set(), object: {} };
    const cyclic: Record<string, unknown> = { containers };
    cyclic.self = cyclic;
    for (const [from, to, kind] of links) {
      const part = parts[from % parts.length];
      const c = containers[kind];
      if (c instanceof Map) c.set(to, part);
      else if (c instanceof Set) c.add(part);
      else if (Array.isArray(c)) c.push(part, cyclic);
      else (c as Record<string, unknown>)[`k${to}`] = part;
    }
    return { parts, cyclic };
  });

test('any nested value round-trips equal, with its aliasing and cycles', () => {
  fc.assert(
    fc.property(state, fc.nat(), (value, pick) => {
      const extras = [value.parts[pick % value.parts.length], value.cyclic];
      const encoded = encodeState(AtomicReferenceType, new AtomicReferenceState(value), extras);
      const decoded = decodeState(AtomicReferenceType, encoded);
      const copy = (decoded.instance as AtomicReferenceState).value;
      assert.deepStrictEqual(copy, value);
      assert.deepStrictEqual(decoded.extras, extras);
      sameIdentities([value, extras], [copy, decoded.extras]);
    }),
    { numRuns: 300 },
  );
});

test('any bytes either decode or throw SerializationError', () => {
  const good = encodeState(AtomicReferenceType, new AtomicReferenceState({ a: [1, new Map([[1, new Set([2])]])] }));
  fc.assert(
    fc.property(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 }), (at, byte) => {
      const bytes = Buffer.from(good);
      bytes[at] = byte;
      try {
        decodeState(AtomicReferenceType, bytes);
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'ESERIALIZE', String(err));
      }
    }),
  );
});
