import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHistory } from './faults/checker.ts';
import type { HistoryRecord, ObjectKind, OpName, OpRecord } from './faults/history.ts';
import type { ViolationKind } from './faults/violation.ts';

/** One hand-made operation: `[invoked, returned]` (returned null: in doubt). */
function op(
  object: ObjectKind,
  key: string,
  f: OpName,
  [invoked, returned]: [number, number | null],
  result: { value?: unknown; code?: string; arg?: unknown; field?: string; final?: boolean; client?: string } = {},
): OpRecord {
  const outcome = returned === null ? 'unknown' : result.code !== undefined ? 'failed' : 'ok';
  return { type: 'op', client: result.client ?? 'c1', object, key, f, invoked, returned, outcome, ...result };
}
const inc = (key: string, t: [number, number | null], value?: number): OpRecord => op('AtomicLong', key, 'incrementAndGet', t, value === undefined ? {} : { value });
const read = (key: string, t: [number, number], value: number, final = false): OpRecord => op('AtomicLong', key, 'get', t, { value, final });
const set = (key: string, t: [number, number | null], arg: string): OpRecord => op('AtomicReference', key, 'set', t, { arg, value: null });
const get = (key: string, t: [number, number], value: string | null): OpRecord => op('AtomicReference', key, 'get', t, { value });
const merge = (key: string, field: string, t: [number, number | null], value?: number): OpRecord =>
  op('SharedMap', key, 'merge', t, { field, ...(value === undefined ? {} : { value }) });
const mapGet = (key: string, field: string, t: [number, number], value: number | null, final = false): OpRecord => op('SharedMap', key, 'get', t, { field, value, final });

function kinds(records: HistoryRecord[]): ViolationKind[] {
  return [...new Set(checkHistory(records).violations.map((v) => v.kind))].sort();
}

/** A clean run: concurrent increments, reads, register writes and reads, map merges, final reads, equal copies. */
const clean: HistoryRecord[] = [
  inc('n', [0, 5], 2),
  inc('n', [1, 3], 1),
  inc('n', [6, null]),
  read('n', [7, 8], 2),
  inc('n', [9, 10], 4),
  read('n', [20, 21], 4, true),
  set('r', [0, 2], 'a'),
  get('r', [1, 3], 'a'),
  set('r', [4, 9], 'b'),
  get('r', [5, 6], 'b'),
  get('r', [7, 8], 'b'),
  set('r', [10, null], 'c'),
  get('r', [20, 21], 'b'),
  merge('m', 'x', [0, 1], 1),
  merge('m', 'x', [2, null]),
  merge('m', 'x', [3, 4], 3),
  mapGet('m', 'x', [20, 21], 3, true),
  mapGet('m', 'y', [20, 21], null, true),
  { type: 'copies', key: 'n', copies: [{ member: 'a', state: { value: 4 } }, { member: 'b', state: { value: 4 } }, { member: 'c', state: null }], at: 22 },
  { type: 'keys', keys: ['m', 'n', 'r'], at: 22 },
];

test('a clean history has no violations, and its outcomes are counted', () => {
  const report = checkHistory(clean);
  assert.deepEqual(report.violations, []);
  assert.equal(report.acknowledged + report.failed + report.inDoubt, clean.filter((r) => r.type === 'op').length);
  assert.equal(report.inDoubt, 3);
  assert.ok(report.longestUnavailableMs > 0);
});

test('two acknowledged increments answering the same value are a doubled increment', () => {
  assert.deepEqual(kinds([inc('n', [0, 1], 1), inc('n', [0, 2], 1)]), ['doubled']);
});

test('a final value below the acknowledged increments is a lost acknowledged call', () => {
  // The final read, made after the increments returned, is also a stale read.
  assert.deepEqual(kinds([inc('n', [0, 1], 1), inc('n', [2, 3], 2), read('n', [5, 6], 1, true)]), ['lost-ack', 'stale-read']);
  assert.deepEqual(kinds([inc('n', [0, 1], 1), inc('n', [2, null]), inc('n', [2, 3], 3), read('n', [5, 6], 3, true)]), []);
});

test('a final value above the acknowledged plus in-doubt increments is a doubled call', () => {
  assert.deepEqual(kinds([inc('n', [0, 1], 1), inc('n', [2, null]), read('n', [5, 6], 3, true)]), ['doubled']);
  assert.deepEqual(kinds([inc('n', [0, 1], 1), inc('n', [2, null]), read('n', [5, 6], 2, true)]), []);
});

test('an answer larger than the increments invoked so far is a doubled call', () => {
  assert.deepEqual(kinds([inc('n', [0, 1], 2)]), ['doubled']);
});

test('a counter read below a value returned before it was invoked is a stale read', () => {
  assert.deepEqual(kinds([inc('n', [0, 1], 1), inc('n', [2, 3], 2), read('n', [4, 5], 1)]), ['stale-read']);
  // An increment answering less than a value returned before it was invoked is out of real-time order.
  assert.deepEqual(kinds([inc('n', [0, null]), inc('n', [0, 3], 2), inc('n', [4, 5], 1)]), ['not-linearizable']);
});

test('a register read of an overwritten value is a stale read', () => {
  assert.deepEqual(kinds([set('r', [0, 1], 'a'), set('r', [2, 3], 'b'), get('r', [4, 5], 'a')]), ['stale-read']);
  // The initial null read again after a write returned (an object re-created empty).
  assert.deepEqual(kinds([get('r', [0, 1], null), set('r', [2, 3], 'a'), get('r', [4, 5], null)]), ['stale-read']);
  // Two readers that each see the other's value first.
  assert.deepEqual(kinds([set('r', [0, 10], 'a'), set('r', [0, 10], 'b'), get('r', [1, 2], 'a'), get('r', [3, 4], 'b'), get('r', [5, 6], 'a')]), ['stale-read']);
});

test('a register read of a value never written, of a failed write, or before its write is not linearizable', () => {
  assert.deepEqual(kinds([get('r', [0, 1], 'ghost')]), ['not-linearizable']);
  assert.deepEqual(kinds([op('AtomicReference', 'r', 'set', [0, 1], { arg: 'a', code: 'EREMOTE' }), get('r', [2, 3], 'a')]), ['not-linearizable']);
  assert.deepEqual(kinds([get('r', [0, 1], 'a'), set('r', [2, 3], 'a')]), ['not-linearizable']);
});

test('a register write in doubt may have happened or not', () => {
  assert.deepEqual(kinds([set('r', [0, null], 'a'), get('r', [5, 6], null), get('r', [7, 8], 'a'), get('r', [9, 10], 'a')]), []);
  assert.deepEqual(kinds([set('r', [0, null], 'a'), get('r', [5, 6], 'a'), get('r', [7, 8], null)]), ['stale-read']);
});

test('map sums: a final sum outside acknowledged..acknowledged+in doubt, or a repeated sum, is a violation', () => {
  assert.deepEqual(kinds([merge('m', 'x', [0, 1], 1), merge('m', 'x', [2, 3], 2), mapGet('m', 'x', [4, 5], 1, true)]), ['lost-ack', 'stale-read']);
  assert.deepEqual(kinds([merge('m', 'x', [0, 1], 1), mapGet('m', 'x', [4, 5], 2, true)]), ['doubled']);
  assert.deepEqual(kinds([merge('m', 'x', [0, 2], 1), merge('m', 'x', [0, 2], 1)]), ['doubled']);
  // Fields are separate counters.
  assert.deepEqual(kinds([merge('m', 'x', [0, 1], 1), merge('m', 'y', [0, 1], 1), mapGet('m', 'y', [4, 5], 1, true)]), []);
});

test('members holding different states of an object (entry order included) are a violation; members holding none are not', () => {
  const copies = (states: unknown[]): HistoryRecord => ({ type: 'copies', key: 'n', copies: states.map((state, i) => ({ member: `m${i}`, state })), at: 9 });
  assert.deepEqual(kinds([copies([{ value: 3 }, { value: 2 }])]), ['copies-differ']);
  assert.deepEqual(kinds([copies([{ value: 3 }, null, { value: 3 }])]), []);
  // A map's entries in another order: its keys() would answer differently.
  assert.deepEqual(kinds([copies([{ map: { a: 1, b: 2 } }, { map: { b: 2, a: 1 } }])]), ['copies-differ']);
});

test('a destroyed object listed or held again is a violation, unless someone touched it after', () => {
  const destroy = op('AtomicLong', 'gone', 'destroy', [0, 1], { value: true });
  assert.deepEqual(kinds([destroy, { type: 'keys', keys: ['gone', 'n'], at: 5 }]), ['destroyed-reappeared']);
  assert.deepEqual(kinds([destroy, { type: 'copies', key: 'gone', copies: [{ member: 'a', state: null }, { member: 'b', state: { value: 7 } }], at: 5 }]), ['destroyed-reappeared']);
  assert.deepEqual(kinds([destroy, { type: 'keys', keys: ['n'], at: 5 }, { type: 'copies', key: 'gone', copies: [{ member: 'a', state: null }], at: 5 }]), []);
  assert.deepEqual(kinds([destroy, inc('gone', [2, 3], 1), { type: 'keys', keys: ['gone'], at: 5 }]), []);
});

test('a lost object must answer nothing and fail with EOBJECT_LOST until its loss is accepted', () => {
  const before = [inc('k', [0, 1], 1), inc('k', [2, 3], 2)];
  const lost: HistoryRecord = { type: 'lost', key: 'k', at: 4 };
  const failing = op('AtomicLong', 'k', 'incrementAndGet', [5, 6], { code: 'EOBJECT_LOST' });
  assert.deepEqual(kinds([...before, lost, failing, op('AtomicLong', 'k', 'get', [7, 8], { code: 'EOBJECT_LOST', final: true })]), []);
  // Re-created silently: it answers, from 1 again.
  assert.deepEqual(kinds([...before, lost, inc('k', [5, 6], 1)]), ['doubled', 'lost-answered', 'not-linearizable']);
  assert.deepEqual(kinds([...before, lost, op('AtomicLong', 'k', 'incrementAndGet', [5, 6], { code: 'ENO_OBJECT' })]), ['lost-wrong-error']);
  // Once forgotten, the object starts anew at 0.
  assert.deepEqual(kinds([...before, lost, failing, { type: 'forgotten', key: 'k', at: 7 }, inc('k', [8, 9], 1), read('k', [10, 11], 1, true)]), []);
});
