import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { RemoteError, SharedList, SharedMap, SkeinError, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

/** What a call did: its value, or the error it failed with (`remoteName` or `code`). */
type Outcome = { ok: unknown } | { error: string };

async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await call() };
  } catch (err) {
    if (err instanceof RemoteError) return { error: err.remoteName };
    if (err instanceof SkeinError) return { error: err.code };
    throw err;
  }
}

function modelled(run: () => unknown): Outcome {
  try {
    return { ok: run() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/**
 * Runs `ops` against the shared object and the model. Pipelined runs send every call before
 * awaiting any: one client's calls are applied in the order it made them.
 */
async function compare<Op>(
  ops: Op[],
  pipelined: boolean,
  real: (op: Op) => Promise<unknown>,
  model: (op: Op) => unknown,
): Promise<void> {
  const expected = ops.map((op) => modelled(() => model(op)));
  let actual: Outcome[];
  if (pipelined) {
    actual = await Promise.all(ops.map((op) => outcome(() => real(op))));
  } else {
    actual = [];
    for (const op of ops) actual.push(await outcome(() => real(op)));
  }
  assert.deepEqual(actual, expected, JSON.stringify(ops));
}

// SharedMap --------------------------------------------------------------------------------------

type Key = string | number;
type Reducer = 'sum' | 'min' | 'max' | 'replace' | 'concat';
type MapOp =
  | { op: 'set'; k: Key; v: number }
  | { op: 'get' | 'has' | 'delete'; k: Key }
  | { op: 'size' | 'keys' | 'values' | 'entries' | 'clear' }
  | { op: 'merge'; k: Key; v: number; reducer: Reducer }
  | { op: 'mergeAll'; entries: [Key, number][]; reducer: Reducer };

const key = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 3 }));
const num = fc.integer({ min: -1000, max: 1000 });
const reducerName = fc.constantFrom<Reducer>('sum', 'min', 'max', 'replace', 'concat');
const mapOp: fc.Arbitrary<MapOp> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), k: key, v: num }),
  fc.record({ op: fc.constantFrom('get' as const, 'has' as const, 'delete' as const), k: key }),
  fc.record({ op: fc.constantFrom('size' as const, 'keys' as const, 'values' as const, 'entries' as const, 'clear' as const) }),
  fc.record({ op: fc.constant('merge' as const), k: key, v: num, reducer: reducerName }),
  fc.record({ op: fc.constant('mergeAll' as const), entries: fc.array(fc.tuple(key, num), { maxLength: 4 }), reducer: reducerName }),
);

/** The reducers over numbers; `concat` can only start an entry, never extend a number. */
function reduce(reducer: Reducer, current: number | undefined, incoming: number): number {
  if (current === undefined) return incoming;
  switch (reducer) {
    case 'sum':
      return current + incoming;
    case 'min':
      return Math.min(current, incoming);
    case 'max':
      return Math.max(current, incoming);
    case 'replace':
      return incoming;
    case 'concat':
      throw new Error('EBAD_ARGS');
  }
}

function applyToMap(m: Map<Key, number>, op: MapOp): unknown {
  switch (op.op) {
    case 'set':
      m.set(op.k, op.v);
      return null;
    case 'get':
      return m.get(op.k) ?? null;
    case 'has':
      return m.has(op.k);
    case 'delete':
      return m.delete(op.k);
    case 'size':
      return m.size;
    case 'keys':
      return [...m.keys()];
    case 'values':
      return [...m.values()];
    case 'entries':
      return [...m.entries()];
    case 'clear':
      m.clear();
      return null;
    case 'merge': {
      const merged = reduce(op.reducer, m.get(op.k), op.v);
      m.set(op.k, merged);
      return merged;
    }
    case 'mergeAll': {
      const staged = new Map<Key, number>();
      for (const [k, v] of op.entries) staged.set(k, reduce(op.reducer, staged.has(k) ? staged.get(k) : m.get(k), v));
      for (const [k, v] of staged) m.set(k, v);
      return staged.size;
    }
  }
}

function callMap(m: SharedMap<Key, number>, op: MapOp): Promise<unknown> {
  switch (op.op) {
    case 'set':
      return m.set(op.k, op.v);
    case 'get':
    case 'has':
    case 'delete':
      return m[op.op](op.k);
    case 'size':
    case 'keys':
    case 'values':
    case 'entries':
    case 'clear':
      return m[op.op]();
    case 'merge':
      return m.merge(op.k, op.v, op.reducer);
    case 'mergeAll':
      return m.mergeAll(op.entries, op.reducer);
  }
}

test('SharedMap behaves like a local Map under any sequence of operations', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mapOp, { maxLength: 40 }), fc.boolean(), async (ops, pipelined) => {
      const shared = new SharedMap<Key, number>({ key: `prop/map/${run++}`, client });
      const local = new Map<Key, number>();
      await compare(ops, pipelined, (op) => callMap(shared, op), (op) => applyToMap(local, op));
      assert.deepEqual(await shared.entries(), [...local.entries()]);
    }),
    { numRuns: 100 },
  );
});

// SharedList -------------------------------------------------------------------------------------

type Item = number | string | number[] | null;
type ListOp =
  | { op: 'push'; items: Item[] }
  | { op: 'get' | 'removeAt'; i: number }
  | { op: 'set'; i: number; v: Item }
  | { op: 'size' | 'clear' }
  | { op: 'slice'; start: number | undefined; end: number | undefined };

const item: fc.Arbitrary<Item> = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(null));
const index = fc.integer({ min: -2, max: 8 });
const bound = fc.option(fc.integer({ min: -8, max: 8 }), { nil: undefined });
const listOp: fc.Arbitrary<ListOp> = fc.oneof(
  fc.record({ op: fc.constant('push' as const), items: fc.array(item, { maxLength: 4 }) }),
  fc.record({ op: fc.constantFrom('get' as const, 'removeAt' as const), i: index }),
  fc.record({ op: fc.constant('set' as const), i: index, v: item }),
  fc.record({ op: fc.constantFrom('size' as const, 'clear' as const) }),
  fc.record({ op: fc.constant('slice' as const), start: bound, end: bound }),
);

function at(a: Item[], i: number): number {
  if (i < 0 || i >= a.length) throw new Error('RangeError');
  return i;
}

function applyToList(a: Item[], op: ListOp): unknown {
  switch (op.op) {
    case 'push':
      a.push(...op.items);
      return a.length;
    case 'get':
      return a[at(a, op.i)];
    case 'set': {
      const i = at(a, op.i);
      const prev = a[i];
      a[i] = op.v;
      return prev;
    }
    case 'removeAt':
      return a.splice(at(a, op.i), 1)[0];
    case 'size':
      return a.length;
    case 'clear':
      a.length = 0;
      return null;
    case 'slice':
      return a.slice(op.start, op.end);
  }
}

function callList(l: SharedList<Item>, op: ListOp): Promise<unknown> {
  switch (op.op) {
    case 'push':
      return l.push(...op.items);
    case 'get':
      return l.get(op.i);
    case 'set':
      return l.set(op.i, op.v);
    case 'removeAt':
      return l.removeAt(op.i);
    case 'size':
      return l.size();
    case 'clear':
      return l.clear();
    case 'slice':
      return l.slice(op.start, op.end);
  }
}

test('SharedList behaves like a local array under any sequence of operations', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(listOp, { maxLength: 40 }), fc.boolean(), async (ops, pipelined) => {
      const shared = new SharedList<Item>({ key: `prop/list/${run++}`, client });
      const local: Item[] = [];
      await compare(ops, pipelined, (op) => callList(shared, op), (op) => applyToList(local, op));
      assert.deepEqual(await shared.slice(), local);
    }),
    { numRuns: 100 },
  );
});
