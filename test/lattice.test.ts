import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidCallError } from '../src/errors/invalid-call-error.ts';
import { keyOf } from '../src/lattice/canonical.ts';
import * as CausalRegister from '../src/lattice/causal-register.ts';
import * as GSet from '../src/lattice/g-set.ts';
import { LATTICES } from '../src/lattice/index.ts';
import * as LwwMap from '../src/lattice/lww-map.ts';
import * as LwwRegister from '../src/lattice/lww-register.ts';
import * as MaxRegister from '../src/lattice/max-register.ts';
import * as OrSet from '../src/lattice/or-set.ts';
import * as PnCounter from '../src/lattice/pn-counter.ts';
import { Stamp } from '../src/lattice/stamp.ts';

const { LwwRegisterLattice: LWW } = LwwRegister;
const { PnCounterLattice: PN } = PnCounter;
const { MaxRegisterLattice: MAX } = MaxRegister;
const { GSetLattice: GS } = GSet;
const { OrSetLattice: OR } = OrSet;
const { LwwMapLattice: MAP } = LwwMap;
const { CausalRegisterLattice: CR } = CausalRegister;

function badArgs(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidCallError, `expected InvalidCallError, got ${String(e)}`);
    assert.equal(e.code, 'EBAD_ARGS');
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** A clock that stands still until moved. */
function frozenClock(ms = 1000): { now: () => number; set(v: number): void } {
  let t = ms;
  return { now: () => t, set: (v) => (t = v) };
}

test('LATTICES names every type once', () => {
  assert.deepEqual(
    [...LATTICES.keys()].sort(),
    ['CausalRegister', 'GSet', 'LwwMap', 'LwwRegister', 'MaxRegister', 'OrSet', 'PnCounter'],
  );
  for (const [name, l] of LATTICES) assert.equal(l.name, name);
});

test('Stamp ticks strictly upward, past what it saw, even when the wall clock goes back', () => {
  const clock = frozenClock(1000);
  const stamp = new Stamp('a', clock.now);
  assert.deepEqual(stamp.tick(), [1000, 0]);
  assert.deepEqual(stamp.tick(), [1000, 1]);
  assert.deepEqual(stamp.tick([5000, 7]), [5000, 8]);
  clock.set(2000);
  assert.deepEqual(stamp.tick(), [5000, 9]);
  clock.set(6000);
  assert.deepEqual(stamp.tick([10, 10]), [6000, 0]);
  assert.equal(stamp.tag(), 'a:0');
  assert.equal(stamp.tag(), 'a:1');
  badArgs(() => new Stamp(''), /writer/);
  badArgs(() => stamp.tick([1, 0.5] as unknown as [number, number]), /timestamp/);
});

test('keyOf: structurally equal values share a key, different values do not', () => {
  assert.equal(keyOf({ a: 1, b: [2, 'x'] }), keyOf({ b: [2, 'x'], a: 1 }));
  assert.equal(keyOf(new Map<unknown, unknown>([[1, 'a'], ['k', { x: 1 }]])), keyOf(new Map<unknown, unknown>([['k', { x: 1 }], [1, 'a']])));
  assert.equal(keyOf(new Set([3, 1, 2])), keyOf(new Set([2, 3, 1])));
  assert.equal(keyOf(new Date(5)), keyOf(new Date(5)));
  assert.equal(keyOf(Buffer.from([1, 2])), keyOf(new Uint8Array([1, 2])));
  assert.equal(keyOf(-0), keyOf(0));
  assert.equal(keyOf(NaN), keyOf(NaN));
  assert.equal(keyOf(5n), keyOf(5));
  const distinct = [
    1, '1', true, 'true', null, undefined, 'null', [], {}, [1], ['1'], [[1]], { a: 1 }, { a: '1' }, { '1': 'a' },
    new Map([[1, 2]]), new Set([1, 2]), [1, 2], new Date(1), 1n << 80n, new Uint8Array([1]), new Int8Array([1]),
    new Float64Array([1]), 'a,b', ['a', 'b'], ['a,b'], { a: 1, b: 2 }, { 'a:1,"b"': 2 }, new ArrayBuffer(1),
    JSON.parse('{"__proto__": 1}'), '\ud800', '\udc00',
  ];
  const keys = distinct.map(keyOf);
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(keyOf({ __proto__: null, a: 1 }), keyOf({ a: 1 }));
  badArgs(() => keyOf(() => 1), /function/);
  badArgs(() => keyOf(Symbol('s')), /symbol/);
  badArgs(() => keyOf(new (class Point {})()), /Point/);
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  badArgs(() => keyOf(cyclic), /itself/);
});

test('LwwRegister: the later write wins, ties break by writer id', () => {
  const a = new Stamp('a', () => 10);
  const b = new Stamp('b', () => 10);
  const s0 = LWW.initial([]);
  assert.equal(LwwRegister.get(s0), null);
  assert.equal(LwwRegister.get(LWW.initial(['x'])), 'x');
  const da = LwwRegister.set(s0, 'A', a);
  const db = LwwRegister.set(s0, 'B', b);
  assert.deepEqual(da.ts, [10, 0]);
  assert.equal(LwwRegister.get(LWW.join(da, db)), 'B', 'same timestamp: writer b > a');
  const later = LwwRegister.set(LWW.join(da, db), 'A2', a);
  assert.equal(LwwRegister.get(LWW.absorb(db, later, 3)), 'A2', 'a saw b and writes after it');
  badArgs(() => LWW.initial([1, 2]), /at most 1/);
  badArgs(() => LWW.checkState({ ts: [1, 2], w: 'a' }), /lacks the field "v"/);
  badArgs(() => LWW.checkState({ ts: [1, NaN], w: 'a', v: 1 }), /timestamp/);
  badArgs(() => LWW.checkState({ ts: [1, 2], w: 'a', v: 1, x: 0 }), /unexpected field "x"/);
  badArgs(() => LWW.checkState(JSON.parse('{"ts":[1,2],"w":"a","v":1,"__proto__":{}}')), /__proto__/);
  badArgs(() => LWW.checkDelta({ ts: [1, 2], w: '', v: 1 }), /reserved/);
  assert.deepEqual(LWW.checkState({ ts: [0, 0], w: '', v: 1 }), { ts: [0, 0], w: '', v: 1 });
});

test('PnCounter: per-writer totals add up; bad counts are refused', () => {
  const a = new Stamp('a');
  const b = new Stamp('b');
  let s = PN.initial([5]);
  assert.equal(PnCounter.value(s), 5);
  assert.equal(PnCounter.value(PN.initial([-5])), -5);
  assert.equal(PnCounter.value(PN.initial([])), 0);
  const d1 = PnCounter.add(s, 3, a);
  assert.deepEqual(d1, [['a', 3, 0]]);
  s = PN.absorb(s, d1, 1);
  const d2 = PnCounter.add(s, -2, a);
  assert.deepEqual(d2, [['a', 0, 2]], 'only the side that moves');
  s = PN.absorb(s, d2, 2);
  s = PN.absorb(s, PnCounter.add(s, 10, b), 3);
  assert.equal(PnCounter.value(s), 16);
  assert.deepEqual(PN.describe(s), { value: 16, writers: 2 });
  const c = PN.compact(s, ['a']);
  assert.deepEqual(c, [['', 8, 2], ['b', 10, 0]]);
  assert.equal(PnCounter.value(c), 16);
  assert.equal(PN.compact(c, ['a', 'zz']), c, 'nothing to fold: the same state');
  badArgs(() => PnCounter.add(s, 1.5, a), /safe integer/);
  badArgs(() => PnCounter.add(s, Number.MAX_SAFE_INTEGER, a), /safe integer range/);
  badArgs(() => PN.initial([0.1]), /safe integer/);
  badArgs(() => PN.checkState([['a', 1.5, 0]]), /increments/);
  badArgs(() => PN.checkState([['a', 1, -1]]), /decrements/);
  badArgs(() => PN.checkState([['a', 2 ** 53, 0]]), /increments/);
  badArgs(() => PN.checkState([['b', 1, 0], ['a', 1, 0]]), /sorted/);
  badArgs(() => PN.checkState([['a', 1, 0], ['a', 1, 0]]), /sorted/);
  badArgs(() => PN.checkState([['a', 2 ** 52, 0], ['b', 2 ** 52, 0]]), /safe integer range/);
  badArgs(() => PN.checkState({ a: [1, 0] }), /array/);
  badArgs(() => PN.checkDelta([['', 1, 0]]), /reserved/);
  const over = PN.join([['a', Number.MAX_SAFE_INTEGER - 1, 0]], [['b', 2, 0]]);
  assert.throws(() => PnCounter.value(over), RangeError, 'concurrent writers beyond the range');
});

test('MaxRegister keeps the largest number and refuses NaN', () => {
  const s = MAX.initial([]);
  assert.equal(MaxRegister.value(s), -Infinity);
  assert.equal(MaxRegister.offer(s, 3), 3);
  assert.equal(MaxRegister.offer(7, 3), 7, 'no raise: the same state');
  assert.equal(MAX.join(3, 7), 7);
  assert.equal(MaxRegister.value(MAX.initial([4])), 4);
  badArgs(() => MaxRegister.offer(s, NaN), /number/);
  badArgs(() => MAX.initial([NaN]), /number/);
  badArgs(() => MAX.checkState('3'), /number/);
  badArgs(() => MAX.checkDelta(NaN), /number/);
});

test('GSet: union of structurally compared members, in canonical order', () => {
  let s = GS.initial([]);
  const d = GSet.add(s, [{ a: 1, b: 2 }, 'x', { b: 2, a: 1 }, 1]);
  assert.equal(d.length, 3, 'duplicates within one add count once');
  s = GS.absorb(s, d, 1);
  assert.deepEqual(GSet.add(s, ['x', 1]), [], 'nothing new');
  assert.ok(GSet.has(s, { b: 2, a: 1 }));
  assert.ok(!GSet.has(s, '1'));
  assert.equal(GSet.size(s), 3);
  assert.deepEqual(GSet.values(s), [{ a: 1, b: 2 }, 'x', 1].sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : 1)));
  assert.deepEqual(GS.checkState(s), s);
  badArgs(() => GSet.add(s, [() => 1]), /function/);
  badArgs(() => GSet.add(s, 'x' as unknown as string[]), /array/);
  badArgs(() => GS.initial([1]), /at most 0/);
  badArgs(() => GS.checkState([['n2', 1]]), /key that is not its value's/);
  badArgs(() => GS.checkState([['n2', 2], ['n1', 1]]), /sorted/);
  badArgs(() => GS.checkState([['n1']]), /2 elements/);
});

test('OrSet: remove takes the tags it saw; a concurrent add wins', () => {
  const a = new Stamp('a');
  const b = new Stamp('b');
  let s = OR.initial([]);
  s = OR.absorb(s, OrSet.add(s, 'x', a), 1);
  assert.ok(OrSet.has(s, 'x'));
  const concurrentAdd = OrSet.add(s, 'x', b);
  const removeSeen = OrSet.remove(s, 'x');
  assert.deepEqual(removeSeen, { e: [], t: ['a:0'] });
  const both = OR.join(OR.absorb(s, removeSeen, 2), OR.absorb(s, concurrentAdd, 3));
  assert.ok(OrSet.has(both, 'x'), 'the add the remover did not see survives');
  assert.deepEqual(both.e[0]?.[2], ['b:0']);
  const gone = OR.absorb(both, OrSet.remove(both, 'x'), 4);
  assert.ok(!OrSet.has(gone, 'x'));
  assert.equal(OrSet.size(gone), 0);
  assert.deepEqual(OR.describe(gone), { size: 0, values: [], tombstones: 2 });
  assert.deepEqual(OR.compact(gone, []), { e: [], t: [] });
  assert.deepEqual(OrSet.remove(gone, 'never'), { e: [], t: [] });
  badArgs(() => OR.checkState({ e: [['"x"', 'x', []]], t: [] }), /no tag/);
  badArgs(() => OR.checkState({ e: [['"x"', 'x', ['a:0']]], t: ['a:0'] }), /tombstoned/);
  badArgs(() => OR.checkState({ e: [['"y"', 'x', ['a:0']]], t: [] }), /key/);
  badArgs(() => OR.checkState({ e: [], t: ['b', 'a'] }), /sorted/);
  badArgs(() => OR.checkState({ e: [], t: [1] }), /strings/);
  badArgs(() => OR.checkDelta({ e: [] }), /lacks the field "t"/);
});

test('LwwMap: per-key last writer wins; a tombstone keeps an older set from coming back', () => {
  const clock = frozenClock(100);
  const a = new Stamp('a', clock.now);
  const b = new Stamp('b', clock.now);
  let s = MAP.initial([]);
  const oldSet = LwwMap.set(s, { id: 1 }, 'old', b);
  clock.set(200);
  s = MAP.absorb(s, LwwMap.set(s, { id: 1 }, 'v1', a), 1);
  s = MAP.absorb(s, LwwMap.set(s, 'k', 'v2', a), 2);
  assert.equal(LwwMap.get(s, { id: 1 }), 'v1');
  assert.equal(LwwMap.size(s), 2);
  s = MAP.absorb(s, LwwMap.delete(s, 'k', a), 3);
  assert.equal(LwwMap.get(s, 'k'), undefined);
  assert.deepEqual(LwwMap.entries(s), [[{ id: 1 }, 'v1']]);
  clock.set(150);
  const stale = LwwMap.set([], 'k', 'stale', new Stamp('c', clock.now));
  assert.equal(LwwMap.get(MAP.absorb(s, stale, 4), 'k'), undefined, 'a set older than the delete stays deleted');
  assert.equal(LwwMap.get(MAP.absorb(s, oldSet, 4), { id: 1 }), 'v1', 'the older set loses');
  assert.deepEqual(MAP.describe(s), { size: 1, entries: [[{ id: 1 }, 'v1']], tombstones: 1 });
  assert.deepEqual(MAP.checkState(s), s);
  const set__proto__ = LwwMap.set(s, '__proto__', 1, a);
  assert.equal(LwwMap.get(MAP.absorb(s, set__proto__, 5), '__proto__'), 1);
  badArgs(() => MAP.checkState([['"k"', 'k', [1, 0], 'a', true, 'v']]), /tombstone with a value/);
  badArgs(() => MAP.checkState([['"k"', 'j', [1, 0], 'a', false, 'v']]), /id/);
  badArgs(() => MAP.checkState([['"k"', 'k', [1, 0], 'a', 0, 'v']]), /boolean/);
  badArgs(() => MAP.checkState({ __proto__: [] }), /array/);
  badArgs(() => MAP.checkDelta([['"k"', 'k', [1, 0], '', false, 'v']]), /reserved/);
});

test('CausalRegister: concurrent writes are siblings; a write replaces what its writer saw', () => {
  const a = new Stamp('a');
  const b = new Stamp('b');
  const s0 = CR.initial(['init']);
  assert.deepEqual(CausalRegister.siblings(s0), ['init']);
  const da = CausalRegister.set(s0, 'A', a);
  const db = CausalRegister.set(s0, 'B', b);
  const s1 = CR.absorb(s0, da, 1);
  const s2 = CR.absorb(s1, db, 2);
  assert.deepEqual(CausalRegister.siblings(s2), ['A', 'B'], 'b did not see A');
  assert.equal(CausalRegister.resolveDefault(CausalRegister.siblings(s2)), 'B');
  const s3 = CR.absorb(s2, CausalRegister.set(s2, 'C', a), 3);
  assert.deepEqual(s3, { seen: 3, s: [[3, 'a', 'C']] });
  // A cache of writer a holding s1 writes again before the node absorbs b's write:
  const view = CR.apply(s1, CausalRegister.set(s1, 'A2', a));
  assert.deepEqual(view, { seen: 1, s: [[CausalRegister.PENDING, 'a', 'A2']] });
  const onNewer = CR.apply(s2, CausalRegister.set(s1, 'A2', a));
  assert.deepEqual(CausalRegister.siblings(onNewer), ['B', 'A2'], 'pending last, b stays');
  assert.deepEqual(CausalRegister.siblings(CR.absorb(s2, CausalRegister.set(s1, 'A2', a), 3)), ['B', 'A2']);
  assert.deepEqual(CR.join(s1, s2), s2);
  assert.throws(() => CR.absorb(s2, db, 2), RangeError);
  badArgs(() => CR.checkState({ seen: 1, s: [[2, 'a', 1]] }), /above/);
  badArgs(() => CR.checkState({ seen: 2, s: [[1, 'a', 1]] }), /latest version/);
  badArgs(() => CR.checkState({ seen: 2, s: [] }), /latest version/);
  badArgs(() => CR.checkState({ seen: 2, s: [[2, 'a', 1], [1, 'b', 1]] }), /sorted/);
  badArgs(() => CR.checkState({ seen: 1, s: [[-1, 'a', 1]] }), /dot/);
  badArgs(() => CR.checkState({ seen: 1.5, s: [] }), /seen/);
  badArgs(() => CR.checkDelta({ c: -1, w: 'a', v: 1 }), /context/);
  badArgs(() => CR.checkDelta({ c: 0, w: 'a' }), /"v"/);
  assert.deepEqual(CR.checkState(s2), s2);
  assert.deepEqual(CR.describe(s2), { siblings: ['A', 'B'], count: 2, version: 2 });
});
