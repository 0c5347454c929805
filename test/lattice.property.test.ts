import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { InvalidCallError } from '../src/errors/invalid-call-error.ts';
import { decode, encode } from '../src/protocol/codec.ts';
import * as CausalRegister from '../src/lattice/causal-register.ts';
import * as GSet from '../src/lattice/g-set.ts';
import type { Lattice } from '../src/lattice/lattice.ts';
import * as LwwMap from '../src/lattice/lww-map.ts';
import * as LwwRegister from '../src/lattice/lww-register.ts';
import * as MaxRegister from '../src/lattice/max-register.ts';
import * as OrSet from '../src/lattice/or-set.ts';
import * as PnCounter from '../src/lattice/pn-counter.ts';
import { Stamp } from '../src/lattice/stamp.ts';

/**
 * Every type runs through one simulation of the real system: a node absorbs the deltas that
 * several caches flush (each cache's in its own order), caches apply their own writes at once
 * and refresh from the node, the node compacts and writers retire. States and deltas are deep-
 * frozen as they are made, so any mutation of an input throws.
 */

const RUNS = 100;

/** How one type is exercised: its lattice, random init args and ops, and its full read. */
interface Spec<S, D> {
  lattice: Lattice<S, D>;
  init: fc.Arbitrary<unknown[]>;
  op: fc.Arbitrary<readonly unknown[]>;
  make(s: S, op: readonly unknown[], stamp: Stamp): D;
  read(s: S): unknown;
  /** Asserts that a cache's view after the op reads as the op says (read-your-writes). */
  sees(before: S, op: readonly unknown[], after: S): void;
  /** Versions come from the node (CausalRegister): join laws hold for states of one history only. */
  nodeStamped?: boolean;
}

// Small domains so writers collide on members, keys and values (a fresh object each time, so
// members compare by structure, not by reference).
const value = fc.oneof(
  fc.constantFrom(0, 1, 'a', '__proto__', null, true),
  fc.record({ x: fc.integer({ min: 0, max: 1 }) }, { noNullPrototype: true }),
  fc.array(fc.constant(1), { maxLength: 2 }),
);

const specs: Spec<any, any>[] = [
  {
    lattice: LwwRegister.LwwRegisterLattice,
    init: fc.oneof(fc.constant([] as unknown[]), value.map((v) => [v])),
    op: value.map((v) => [v]),
    make: (s, [v], stamp) => LwwRegister.set(s, v, stamp),
    read: LwwRegister.get,
    sees: (_, [v], after) => assert.equal(LwwRegister.get(after), v),
  } satisfies Spec<LwwRegister.LwwRegisterState, LwwRegister.LwwRegisterDelta>,
  {
    lattice: PnCounter.PnCounterLattice,
    init: fc.oneof(fc.constant([] as unknown[]), fc.integer({ min: -100, max: 100 }).map((n) => [n])),
    op: fc.integer({ min: -5, max: 5 }).map((n) => [n]),
    make: (s, [n], stamp) => PnCounter.add(s, n as number, stamp),
    read: PnCounter.value,
    sees: (before, [n], after) => assert.equal(PnCounter.value(after), PnCounter.value(before) + (n as number)),
  } satisfies Spec<PnCounter.PnCounterState, PnCounter.PnCounterDelta>,
  {
    lattice: MaxRegister.MaxRegisterLattice,
    init: fc.oneof(fc.constant([] as unknown[]), fc.integer().map((n) => [n])),
    op: fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constantFrom(Infinity, -Infinity, 0.5)).map((n) => [n]),
    make: (s, [n]) => MaxRegister.offer(s, n as number),
    read: MaxRegister.value,
    sees: (before, [n], after) => assert.equal(MaxRegister.value(after), Math.max(before, n as number)),
  } satisfies Spec<MaxRegister.MaxRegisterState, MaxRegister.MaxRegisterDelta>,
  {
    lattice: GSet.GSetLattice,
    init: fc.constant([] as unknown[]),
    op: fc.array(value, { maxLength: 3 }).map((items) => [items]),
    make: (s, [items]) => GSet.add(s, items as unknown[]),
    read: GSet.values,
    sees: (before, [items], after) => {
      for (const v of items as unknown[]) assert.ok(GSet.has(after, v));
      assert.ok(GSet.size(after) >= GSet.size(before));
    },
  } satisfies Spec<GSet.GSetState, GSet.GSetDelta>,
  {
    lattice: OrSet.OrSetLattice,
    init: fc.constant([] as unknown[]),
    op: fc.tuple(fc.constantFrom('add', 'remove'), value),
    make: (s, [kind, v], stamp) => (kind === 'add' ? OrSet.add(s, v, stamp) : OrSet.remove(s, v)),
    read: OrSet.values,
    sees: (before, [kind, v], after) => {
      assert.equal(OrSet.has(after, v), kind === 'add');
      assert.equal(OrSet.size(after), OrSet.size(before) + Number(OrSet.has(after, v)) - Number(OrSet.has(before, v)));
    },
  } satisfies Spec<OrSet.OrSetState, OrSet.OrSetDelta>,
  {
    lattice: LwwMap.LwwMapLattice,
    init: fc.constant([] as unknown[]),
    op: fc.tuple(fc.constantFrom('set', 'set', 'delete'), value, value),
    make: (s, [kind, k, v], stamp) => (kind === 'set' ? LwwMap.set(s, k, v, stamp) : LwwMap.delete(s, k, stamp)),
    read: LwwMap.entries,
    sees: (before, [kind, k, v], after) => {
      assert.deepEqual(LwwMap.get(after, k), kind === 'set' ? v : undefined);
      const others = (s: LwwMap.LwwMapState) => LwwMap.entries(s).filter((e) => !isDeepStrictEqual(e[0], k));
      assert.deepEqual(others(after), others(before));
    },
  } satisfies Spec<LwwMap.LwwMapState, LwwMap.LwwMapDelta>,
  {
    lattice: CausalRegister.CausalRegisterLattice,
    init: fc.oneof(fc.constant([] as unknown[]), value.map((v) => [v])),
    op: value.map((v) => [v]),
    make: (s, [v], stamp) => CausalRegister.set(s, v, stamp),
    read: CausalRegister.siblings,
    sees: (_, [v], after) => assert.equal(CausalRegister.resolveDefault(CausalRegister.siblings(after)), v),
    nodeStamped: true,
  } satisfies Spec<CausalRegister.CausalRegisterState, CausalRegister.CausalRegisterDelta>,
];

const WRITERS = ['w0', 'w1', 'w2'];

type Action =
  | { kind: 'op'; writer: number; op: readonly unknown[] }
  | { kind: 'flush'; writer: number; count: number }
  | { kind: 'refresh'; writer: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'compact' }
  | { kind: 'retire'; writer: number };

function actions(op: fc.Arbitrary<readonly unknown[]>): fc.Arbitrary<Action[]> {
  const writer = fc.integer({ min: 0, max: WRITERS.length - 1 });
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('op' as const), writer, op }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('flush' as const), writer, count: fc.integer({ min: 1, max: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('refresh' as const), writer }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: -3, max: 10 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const) }) },
      { weight: 1, arbitrary: fc.constant(null).chain(() => fc.record({ kind: fc.constant('retire' as const), writer })) },
    ),
    { maxLength: 60, size: 'medium' },
  );
}

function freeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) freeze(v);
  }
  return x;
}

interface Run<S, D> {
  initial: S;
  /** Every state the node held, in order (compacted when the node compacted). */
  history: S[];
  /** The node's states had it never compacted. */
  raw: S[];
  /** Every delta, in the order the node absorbed it. */
  deltas: D[];
  /** Every view a cache showed right after one of its writes. */
  views: S[];
}

/**
 * Runs `acts` against one node and a cache per writer, checking on the way that a cache's view
 * reads like the node that absorbs its pending writes, and that compaction changes no read.
 */
function simulate<S, D>(spec: Spec<S, D>, init: unknown[], acts: Action[]): Run<S, D> {
  const L = spec.lattice;
  let now = 1000;
  const initial = freeze(L.initial(init));
  let node = initial;
  let raw = initial;
  let version = 0;
  const run: Run<S, D> = { initial, history: [initial], raw: [initial], deltas: [], views: [] };
  const retired: string[] = [];
  const caches = WRITERS.map((name) => ({
    name,
    stamp: new Stamp(name, () => now),
    view: initial,
    pending: [] as D[],
    retired: false,
  }));

  const absorbNext = (cache: (typeof caches)[number]): void => {
    const d = cache.pending.shift() as D;
    version++;
    node = freeze(L.absorb(node, d, version));
    raw = freeze(L.absorb(raw, d, version));
    run.history.push(node);
    run.raw.push(raw);
    run.deltas.push(d);
  };

  for (const a of acts) {
    const cache = 'writer' in a ? caches[a.writer]! : undefined;
    switch (a.kind) {
      case 'op': {
        if (cache!.retired) break;
        const d = freeze(spec.make(cache!.view, freeze(a.op), cache!.stamp));
        const before = cache!.view;
        cache!.view = freeze(L.apply(cache!.view, d));
        spec.sees(before, a.op, cache!.view);
        cache!.pending.push(d);
        run.views.push(cache!.view);
        break;
      }
      case 'flush':
        for (let i = 0; i < a.count && cache!.pending.length > 0; i++) absorbNext(cache!);
        break;
      case 'refresh':
        cache!.view = freeze(cache!.pending.reduce((s, d) => L.apply(s, d), node));
        break;
      case 'tick':
        now = Math.max(0, now + a.ms);
        break;
      case 'compact':
        node = freeze(L.compact(node, retired));
        run.history.push(node);
        run.raw.push(raw);
        break;
      case 'retire':
        if (cache!.retired) break;
        while (cache!.pending.length > 0) absorbNext(cache!);
        cache!.retired = true;
        retired.push(cache!.name);
        break;
    }
    assert.deepEqual(spec.read(node), spec.read(raw), 'compaction changed a read');
    for (const c of caches) {
      // Property 3: what the cache shows on the node's newest state is what the node will hold.
      const shown = c.pending.reduce((s, d) => L.apply(s, d), node);
      const absorbed = c.pending.reduce((s, d, i) => L.absorb(s, d, version + i + 1), node);
      assert.deepEqual(spec.read(shown), spec.read(absorbed), `cache ${c.name} disagrees with the node`);
    }
  }
  for (const c of caches) while (c.pending.length > 0) absorbNext(c);
  return run;
}

/** A deterministic shuffle (mulberry32) so fast-check can replay it from the seed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let t = seed >>> 0;
  const random = (): number => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('Stamp: every tick is above the previous one and the timestamp it was given, whatever the clock does', () => {
  const timestamp = fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5 }));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.option(timestamp))), (steps) => {
      let now = 0;
      const stamp = new Stamp('w', () => now);
      let last: readonly [number, number] = [-1, 0];
      const tags = new Set<string>();
      for (const [ms, after] of steps) {
        now = ms;
        const t = stamp.tick(after ?? undefined);
        assert.ok(t[0] > last[0] || (t[0] === last[0] && t[1] > last[1]), 'above the previous tick');
        if (after) assert.ok(t[0] > after[0] || (t[0] === after[0] && t[1] > after[1]), 'above what it saw');
        assert.ok(t[0] >= now, 'never behind the wall clock');
        last = t;
        tags.add(stamp.tag());
      }
      assert.equal(tags.size, steps.length);
    }),
    { numRuns: RUNS },
  );
});

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;

for (const spec of specs) {
  const L = spec.lattice;
  const scenario = fc.record({ init: spec.init, acts: actions(spec.op) });
  const sim = (s: { init: unknown[]; acts: Action[] }) => simulate(spec, s.init, s.acts);

  test(`${L.name}: join is commutative, associative and idempotent`, () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.nat(), fc.nat(), (s, i, j, k) => {
        const run = sim(s);
        // A node-stamped type's laws hold over one history; the others' over any states.
        const pool = spec.nodeStamped ? run.history : [...run.history, ...run.views, ...run.deltas];
        const [a, b, c] = [pick(pool, i), pick(pool, j), pick(pool, k)];
        assert.deepEqual(L.join(a, b), L.join(b, a));
        assert.deepEqual(L.join(L.join(a, b), c), L.join(a, L.join(b, c)));
        assert.deepEqual(L.join(a, a), a);
      }),
      { numRuns: RUNS },
    );
  });

  if (spec.nodeStamped) {
    test(`${L.name}: the siblings are the writes no later write saw, by a writer that saw it or by its own writer`, () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const run = sim(s);
          const writes = [
            { dot: 0, c: -1, w: '', v: s.init.length > 0 ? s.init[0] : null },
            ...(run.deltas as CausalRegister.CausalRegisterDelta[]).map((d, i) => ({ dot: i + 1, ...d })),
          ];
          const alive = writes.filter((x, i) => writes.slice(i + 1).every((y) => y.c < x.dot && y.w !== x.w));
          const last = run.history.at(-1) as CausalRegister.CausalRegisterState;
          assert.deepEqual(last, { seen: writes.length - 1, s: alive.map((x) => [x.dot, x.w, x.v]) });
        }),
        { numRuns: RUNS },
      );
    });

    test(`${L.name}: states of one history join to the later one, in any order`, () => {
      fc.assert(
        fc.property(scenario, fc.nat(), fc.nat(), fc.integer(), (s, i, j, seed) => {
          const run = sim(s);
          const [x, y] = [i % run.history.length, j % run.history.length];
          assert.deepEqual(L.join(run.history[x], run.history[y]), run.history[Math.max(x, y)]);
          const joined = shuffle(run.history, seed).reduce((acc, h) => L.join(acc, h));
          assert.deepEqual(joined, run.history.at(-1));
        }),
        { numRuns: RUNS },
      );
    });
  } else {
    test(`${L.name}: the same deltas in any order, with duplicates, converge`, () => {
      fc.assert(
        fc.property(scenario, fc.integer(), fc.integer(), (s, seed1, seed2) => {
          const run = sim(s);
          const again = shuffle(run.deltas, seed1).slice(0, run.deltas.length >> 1);
          const order1 = shuffle([...run.deltas, ...again], seed2);
          const order2 = shuffle(run.deltas, seed2 ^ seed1);
          const fold = (ds: readonly unknown[]) => ds.reduce((acc, d, n) => L.absorb(acc, d, n + 1), run.initial);
          assert.deepEqual(fold(order1), run.raw.at(-1));
          assert.deepEqual(fold(order2), run.raw.at(-1));
        }),
        { numRuns: RUNS },
      );
    });
  }

  test(`${L.name}: compact keeps every read, and states and deltas survive msgpack and checks`, () => {
    fc.assert(
      fc.property(scenario, fc.subarray(WRITERS), (s, retired) => {
        const run = sim(s);
        for (const h of run.history) {
          const compacted = L.compact(h, retired);
          assert.deepEqual(spec.read(compacted), spec.read(h));
          assert.deepEqual(L.checkState(decode(encode(compacted))), compacted);
          assert.deepEqual(L.checkState(decode(encode(h))), h);
          assert.ok(L.bytes(h) > 0);
          decode(encode(L.describe(h)));
        }
        for (const d of run.deltas) assert.deepEqual(L.checkDelta(decode(encode(d))), d);
      }),
      { numRuns: RUNS },
    );
  });

  test(`${L.name}: anything off the wire is a checked state or EBAD_ARGS`, () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (x) => {
        for (const check of [L.checkState, L.checkDelta]) {
          try {
            const ok = check(x);
            assert.deepEqual(check(ok), ok);
          } catch (e) {
            if (!(e instanceof InvalidCallError) || e.code !== 'EBAD_ARGS') throw e;
          }
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
}
