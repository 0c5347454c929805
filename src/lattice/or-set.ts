import { badArgs } from '../objects/validate.ts';
import type { Lattice, WriteStamp } from './lattice.ts';
import { keyOf } from './canonical.ts';
import { checkArray, checkAscending, checkInit, checkRecord, checkTuple } from './check.ts';
import { DESCRIBE_LIMIT } from './describe-limit.ts';
import { checkMembers } from './g-set.ts';
import { mergeSorted, search, unionStrings } from './sorted.ts';
import { describe } from '../errors/describe-value.ts';
import { valueBytes } from './value-bytes.ts';

/** A member with its canonical key and the tags of the adds that put it there and still count (sorted). */
export type OrSetEntry<T = unknown> = readonly [key: string, value: T, tags: readonly string[]];

/**
 * An `OrSet`'s state: live members sorted by key (each with at least one tag) and the tombstones,
 * the tags removes have named (sorted). No entry holds a tombstoned tag.
 */
export interface OrSetState<T = unknown> {
  readonly e: readonly OrSetEntry<T>[];
  readonly t: readonly string[];
}

/** An `add` (one entry with one new tag) or a `remove` (tombstones), as a state. */
export type OrSetDelta<T = unknown> = OrSetState<T>;

const keyAt = (e: OrSetEntry): string => e[0];
const EMPTY: OrSetState = { e: [], t: [] };

/**
 * `OrSet<T>`: an observed-remove set where an add wins over a concurrent remove. Each add
 * carries a unique tag; a remove tombstones the tags of the member its writer sees, so an add
 * it did not see survives. The join takes the union of entries' tags minus the union of
 * tombstones. Init `[]`.
 *
 * `compact` drops the tombstones: a node-only step, safe there because the node absorbs every
 * write exactly once and each cache's writes in that cache's order, and a remove names only tags
 * its writer saw (absorbed by the node, or its own earlier adds, which reach the node first), so
 * no add of a tombstoned tag can arrive later. The join laws are stated for uncompacted states.
 */
export const OrSetLattice: Lattice<OrSetState, OrSetDelta> = {
  name: 'OrSet',
  initial(init) {
    checkInit(init, 0, 'OrSet');
    return EMPTY;
  },
  join: joinOrSets,
  combine: joinOrSets,
  absorb: (s, delta) => joinOrSets(s, delta),
  apply: (s, delta) => joinOrSets(s, delta),
  compact: (s) => (s.t.length === 0 ? s : { e: s.e, t: [] }),
  checkState: (x) => checkOrSet(x, 'an OrSet state'),
  checkDelta: (x) => checkOrSet(x, 'an OrSet delta'),
  bytes: (s) =>
    64 +
    s.e.reduce((sum, e) => sum + 32 + 2 * e[0].length + valueBytes(e[1]) + valueBytes(e[2]), 0) +
    valueBytes(s.t),
  describe: (s) => ({ size: s.e.length, values: s.e.slice(0, DESCRIBE_LIMIT).map((e) => e[1]), tombstones: s.t.length }),
};

function joinOrSets<T>(a: OrSetState<T>, b: OrSetState<T>): OrSetState<T> {
  const t = unionStrings(a.t, b.t);
  const dead = new Set(t);
  const live = (tags: readonly string[]): readonly string[] =>
    tags.some((g) => dead.has(g)) ? tags.filter((g) => !dead.has(g)) : tags;
  const e = mergeSorted(a.e, b.e, keyAt, (x, y): OrSetEntry<T> | undefined => {
    const tags = x && y ? live(unionStrings(x[2], y[2])) : live((x ?? y)![2]);
    if (tags.length === 0) return undefined;
    const kept = (x ?? y)!;
    return tags === kept[2] ? kept : [kept[0], kept[1], tags];
  });
  return { e, t };
}

function checkOrSet(x: unknown, name: string): OrSetState {
  const r = checkRecord(x, ['e', 't'], name);
  const entries = checkArray(r.e, `${name}'s entries`).map((entry, i): OrSetEntry => {
    const where = `${name}'s entry ${i}`;
    const [key, value, tags] = checkTuple(entry, 3, where);
    checkMembers([[key, value]], where);
    const list = checkTags(tags, `${where} tags`);
    if (list.length === 0) throw badArgs(`${where} has no tag`);
    return [key as string, value, list];
  });
  checkAscending(entries.map(keyAt), `${name}'s entries`);
  const t = checkTags(r.t, `${name}'s tombstones`);
  const dead = new Set(t);
  for (const e of entries) {
    if (e[2].some((g) => dead.has(g))) throw badArgs(`${name} holds a tombstoned tag in a live entry`);
  }
  return { e: entries, t };
}

function checkTags(x: unknown, name: string): string[] {
  const tags = checkArray(x, name).map((g) => {
    if (typeof g !== 'string') throw badArgs(`${name} must be strings, got ${describe(g)}`);
    return g;
  });
  checkAscending(tags, name);
  return tags;
}

/** Adds `v` with a new tag from `stamp`. `EBAD_ARGS` for a value `keyOf` refuses. */
export function add<T>(_s: OrSetState<T>, v: T, stamp: WriteStamp): OrSetDelta<T> {
  return { e: [[keyOf(v), v, [stamp.tag()]]], t: [] };
}

/** Removes `v` as seen in `s`: the delta tombstones the tags of `v` in `s` (none when absent). */
export function remove<T>(s: OrSetState<T>, v: T): OrSetDelta<T> {
  const at = search(s.e, keyOf(v), keyAt);
  return { e: [], t: at >= 0 ? (s.e[at] as OrSetEntry<T>)[2] : [] };
}

/** Whether `v` is a member (structurally). */
export function has<T>(s: OrSetState<T>, v: T): boolean {
  return search(s.e, keyOf(v), keyAt) >= 0;
}

/** The members, in canonical key order (the same on every replica). */
export function values<T>(s: OrSetState<T>): T[] {
  return s.e.map((e) => e[1]);
}

/** The number of members. */
export function size(s: OrSetState): number {
  return s.e.length;
}
