import { badArgs } from '../objects/validate.ts';
import type { Lattice } from './lattice.ts';
import { keyOf } from './canonical.ts';
import { checkArray, checkAscending, checkInit, checkTuple } from './check.ts';
import { DESCRIBE_LIMIT } from './describe-limit.ts';
import { mergeSorted, search } from './sorted.ts';
import { valueBytes } from './value-bytes.ts';

/** A member with its canonical key (`keyOf(value)`). */
export type GSetEntry<T = unknown> = readonly [key: string, value: T];

/** A `GSet`'s state: its members, sorted by canonical key. */
export type GSetState<T = unknown> = readonly GSetEntry<T>[];

/** An `add` as it travels: the members new to the writer, as a state. */
export type GSetDelta<T = unknown> = GSetState<T>;

const keyAt = (e: GSetEntry): string => e[0];

/**
 * `GSet<T>`: a grow-only set of structurally compared members (see `keyOf`); the join is the
 * union. Of two members with one key (a `0` and a `-0`), the join keeps the left one: every read
 * treats them as the same member. Init `[]`.
 */
export const GSetLattice: Lattice<GSetState, GSetDelta> = {
  name: 'GSet',
  initial(init) {
    checkInit(init, 0, 'GSet');
    return [];
  },
  join: unionSets,
  combine: unionSets,
  absorb: (s, delta) => unionSets(s, delta),
  apply: (s, delta) => unionSets(s, delta),
  compact: (s) => s,
  checkState: (x) => checkMembers(x, 'a GSet state'),
  checkDelta: (x) => checkMembers(x, 'a GSet delta'),
  bytes: (s) => 32 + s.reduce((sum, e) => sum + 24 + 2 * e[0].length + valueBytes(e[1]), 0),
  describe: (s) => ({ size: s.length, values: s.slice(0, DESCRIBE_LIMIT).map((e) => e[1]) }),
};

function unionSets<T>(a: GSetState<T>, b: GSetState<T>): GSetState<T> {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return mergeSorted(a, b, keyAt, (x, y) => x ?? y);
}

/**
 * Members off the wire: `[key, value]` pairs whose key is `keyOf(value)`, sorted by key and
 * unique, or `EBAD_ARGS`. Shared by the sets' checks.
 */
export function checkMembers(x: unknown, name: string): GSetState {
  const entries = checkArray(x, name).map((e, i): GSetEntry => {
    const t = checkTuple(e, 2, `${name}'s member ${i}`);
    if (t[0] !== keyOf(t[1])) throw badArgs(`${name}'s member ${i} has a key that is not its value's`);
    return [t[0], t[1]];
  });
  checkAscending(entries.map(keyAt), `${name}'s members`);
  return entries;
}

/** Adds `items`: the delta holds those not in `s` yet (one each), sorted. `EBAD_ARGS` for a value `keyOf` refuses. */
export function add<T>(s: GSetState<T>, items: readonly T[]): GSetDelta<T> {
  if (!Array.isArray(items)) throw badArgs('GSet.add takes an array of items');
  const fresh = new Map<string, T>();
  for (const v of items) {
    const k = keyOf(v);
    if (!fresh.has(k) && search(s, k, keyAt) < 0) fresh.set(k, v);
  }
  return [...fresh].sort((x, y) => (x[0] < y[0] ? -1 : 1));
}

/** Whether `v` is a member (structurally). */
export function has<T>(s: GSetState<T>, v: T): boolean {
  return search(s, keyOf(v), keyAt) >= 0;
}

/** The members, in canonical key order (the same on every replica). */
export function values<T>(s: GSetState<T>): T[] {
  return s.map((e) => e[1]);
}

/** The number of members. */
export function size(s: GSetState): number {
  return s.length;
}
