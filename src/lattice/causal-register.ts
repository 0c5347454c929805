import { badArgs } from '../objects/validate.ts';
import type { Lattice, WriteStamp } from './lattice.ts';
import { checkArray, checkCount, checkInit, checkRecord, checkTuple, checkWriter } from './check.ts';
import { DESCRIBE_LIMIT } from './describe-limit.ts';
import { valueBytes } from './value-bytes.ts';

/**
 * One concurrent value: its dot (the version the node gave the write), its writer and the value.
 * A cache's own write that the node has not absorbed yet carries the dot {@link PENDING}.
 */
export type Sibling<T = unknown> = readonly [dot: number, writer: string, value: T];

/**
 * A `CausalRegister`'s state: the newest version the node has given (`seen`) and the siblings,
 * in sibling order (see {@link siblings}). A new register is `{ seen: 0, s: [[0, '', initial]] }`.
 */
export interface CausalRegisterState<T = unknown> {
  readonly seen: number;
  readonly s: readonly Sibling<T>[];
}

/**
 * A `set` as it travels: the value, its writer and its context `c`, the `seen` of the state the
 * writer saw (every sibling with a dot up to `c` was seen, so the write supersedes it).
 */
export interface CausalRegisterDelta<T = unknown> {
  readonly c: number;
  readonly w: string;
  readonly v: T;
}

/**
 * The dot of a cache's own write not yet absorbed by the node. It is ordered after every other
 * dot, since the node will give that write a version above all the cache has seen; it never
 * leaves the cache (states on the wire are node states).
 */
export const PENDING = -1;

/**
 * `CausalRegister<T>`: a multi-value register that keeps concurrent writes as siblings. Only the
 * node stamps versions, so causality needs one integer per sibling rather than a vector clock per
 * writer: dotted version vectors with the object's owner as their single actor. A write replaces
 * the siblings its writer saw (dots up to its context) and every earlier write of its own writer
 * (a writer always sees its own writes); siblings written meanwhile by others stay. The join, for
 * states of one object's history, keeps a sibling both sides hold or one above the other side's
 * `seen` (newer than all the other side saw). Init `[initial = null]`.
 */
export const CausalRegisterLattice: Lattice<CausalRegisterState, CausalRegisterDelta> = {
  name: 'CausalRegister',
  initial(init) {
    checkInit(init, 1, 'CausalRegister');
    return { seen: 0, s: [[0, '', init.length > 0 ? init[0] : null]] };
  },
  // A writer's later write replaces its earlier ones (absorb drops a writer's own siblings), and
  // its context only grows: the later delta alone has the effect of both.
  combine: (_a, b) => b,
  join(a, b) {
    const kept = [
      ...a.s.filter((x) => x[0] > b.seen || b.s.some((y) => sameDot(x, y))),
      ...b.s.filter((y) => y[0] > a.seen),
    ];
    return { seen: Math.max(a.seen, b.seen), s: kept.sort(bySiblingOrder) };
  },
  absorb(s, delta, version) {
    if (!Number.isSafeInteger(version) || version <= s.seen) {
      throw new RangeError(`a CausalRegister version must be an integer above ${s.seen}, got ${version}`);
    }
    return { seen: version, s: [...superseded(s, delta), [version, delta.w, delta.v]] };
  },
  apply(s, delta) {
    return { seen: s.seen, s: [...superseded(s, delta), [PENDING, delta.w, delta.v]] };
  },
  compact: (s) => s,
  checkState: checkCausalState,
  checkDelta(x) {
    const r = checkRecord(x, ['c', 'w', 'v'], 'a CausalRegister delta');
    return {
      c: checkCount(r.c, "a CausalRegister delta's context"),
      w: checkWriter(r.w, "a CausalRegister delta's writer"),
      v: r.v,
    };
  },
  bytes: (s) => 32 + s.s.reduce((sum, x) => sum + 48 + 2 * x[1].length + valueBytes(x[2]), 0),
  describe: (s) => ({ siblings: siblings(s).slice(0, DESCRIBE_LIMIT), count: s.s.length, version: s.seen }),
};

/** The siblings that survive `delta`: those above its context, not by its writer. */
function superseded<T>(s: CausalRegisterState<T>, delta: CausalRegisterDelta<T>): Sibling<T>[] {
  return s.s.filter((x) => x[0] > delta.c && x[1] !== delta.w);
}

function sameDot(x: Sibling, y: Sibling): boolean {
  return x[0] === y[0] && x[1] === y[1];
}

function rank(dot: number): number {
  return dot === PENDING ? Infinity : dot;
}

function bySiblingOrder(x: Sibling, y: Sibling): number {
  return rank(x[0]) - rank(y[0]) || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
}

function checkCausalState(x: unknown): CausalRegisterState {
  const name = 'a CausalRegister state';
  const r = checkRecord(x, ['seen', 's'], name);
  const seen = checkCount(r.seen, `${name}'s seen`);
  const list = checkArray(r.s, `${name}'s siblings`).map((sibling, i): Sibling => {
    const where = `${name}'s sibling ${i}`;
    const [dot, writer, value] = checkTuple(sibling, 3, where);
    const d = checkCount(dot, `${where} dot`);
    if (d > seen) throw badArgs(`${where} has a dot above the state's seen (${seen})`);
    return [d, checkWriter(writer, `${where} writer`, true), value];
  });
  for (let i = 1; i < list.length; i++) {
    if (bySiblingOrder(list[i - 1] as Sibling, list[i] as Sibling) >= 0) {
      throw badArgs(`${name}'s siblings must be sorted by dot and writer, without duplicates`);
    }
  }
  if (list.at(-1)?.[0] !== seen) throw badArgs(`${name} must hold the sibling of its latest version (${seen})`);
  return { seen, s: list };
}

/**
 * Sets the value to `v` as `stamp`'s writer: the delta's context is the `seen` of `s`, the state
 * the writer sees (its pending siblings are its own, which the write replaces anyway).
 */
export function set<T>(s: CausalRegisterState<T>, v: T, stamp: WriteStamp): CausalRegisterDelta<T> {
  return { c: s.seen, w: stamp.writer, v };
}

/**
 * The siblings' values ordered by dot, then writer id, a pending write last (the node will give
 * it the highest dot): the same order at the node and in a cache, so a resolver agrees on both.
 */
export function siblings<T>(s: CausalRegisterState<T>): T[] {
  return s.s.map((x) => x[2]);
}

/**
 * The default resolver: of `siblings(s)`, the one with the highest dot, then the highest writer
 * id (the last). `RangeError` when given no sibling (a state always has one).
 */
export function resolveDefault<T>(values: readonly T[]): T {
  if (values.length === 0) throw new RangeError('a CausalRegister always has a sibling to resolve');
  return values[values.length - 1] as T;
}
