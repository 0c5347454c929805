import { badArgs } from '../objects/validate.ts';
import type { Lattice, WriteStamp } from './lattice.ts';
import { keyOf } from './canonical.ts';
import { checkArray, checkAscending, checkInit, checkTuple, checkWriter } from './check.ts';
import { DESCRIBE_LIMIT } from './describe-limit.ts';
import { mergeSorted, search } from './sorted.ts';
import { checkTimestamp, compareTimestamps, compareWrites, ZERO, type Timestamp } from './timestamp.ts';
import { valueBytes } from './value-bytes.ts';

/**
 * One key's latest write: the key's canonical form (`keyOf(k)`), the key, the write's timestamp
 * and writer, whether it was a delete (a tombstone, whose value is `null`) and the value.
 */
export type LwwMapEntry<K = unknown, V = unknown> = readonly [
  id: string,
  k: K,
  ts: Timestamp,
  w: string,
  deleted: boolean,
  v: V | null,
];

/**
 * An `LwwMap`'s state: one entry per key ever written, sorted by canonical key. Deleted keys keep
 * their tombstone, at the node too: without it, a set older than the delete that arrives after
 * it (from a cache that wrote before seeing the delete) would bring the key back.
 */
export type LwwMapState<K = unknown, V = unknown> = readonly LwwMapEntry<K, V>[];

/** A `set` or `delete` as it travels: a state holding the one entry written. */
export type LwwMapDelta<K = unknown, V = unknown> = LwwMapState<K, V>;

const idOf = (e: LwwMapEntry): string => e[0];

/**
 * `LwwMap<K, V>`: a map whose keys (compared structurally, see `keyOf`) are each a last-writer-wins
 * register; a delete is a write too. The join keeps, per key, the write with the highest
 * (timestamp, writer id). Init `[]`.
 */
export const LwwMapLattice: Lattice<LwwMapState, LwwMapDelta> = {
  name: 'LwwMap',
  initial(init) {
    checkInit(init, 0, 'LwwMap');
    return [];
  },
  join: joinMaps,
  combine: joinMaps,
  clock: (s) => s.reduce<Timestamp>((max, e) => (compareTimestamps(e[2], max) > 0 ? e[2] : max), ZERO),
  absorb: (s, delta) => joinMaps(s, delta),
  apply: (s, delta) => joinMaps(s, delta),
  compact: (s) => s,
  checkState: (x) => checkMap(x, 'an LwwMap state', true),
  checkDelta: (x) => checkMap(x, 'an LwwMap delta', false),
  bytes: (s) => 32 + s.reduce((sum, e) => sum + 64 + 2 * (e[0].length + e[3].length) + valueBytes(e[1]) + valueBytes(e[5]), 0),
  describe: (s) => {
    const live = entries(s);
    return { size: live.length, entries: live.slice(0, DESCRIBE_LIMIT), tombstones: s.length - live.length };
  },
};

function joinMaps<K, V>(a: LwwMapState<K, V>, b: LwwMapState<K, V>): LwwMapState<K, V> {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return mergeSorted(a, b, idOf, (x, y) => (x && y ? (compareWrites(x[2], x[3], y[2], y[3]) >= 0 ? x : y) : (x ?? y)));
}

function checkMap(x: unknown, name: string, reserved: boolean): LwwMapState {
  const list = checkArray(x, name).map((entry, i): LwwMapEntry => {
    const where = `${name}'s entry ${i}`;
    const [id, k, ts, w, deleted, v] = checkTuple(entry, 6, where);
    if (id !== keyOf(k)) throw badArgs(`${where} has an id that is not its key's`);
    if (typeof deleted !== 'boolean') throw badArgs(`${where} must say whether it is deleted (a boolean)`);
    if (deleted && v !== null) throw badArgs(`${where} is a tombstone with a value`);
    return [id, k, checkTimestamp(ts, `${where} ts`), checkWriter(w, `${where} writer`, reserved), deleted, v];
  });
  checkAscending(list.map(idOf), `${name}'s keys`);
  return list;
}

function entryOf<K, V>(s: LwwMapState<K, V>, id: string): LwwMapEntry<K, V> | undefined {
  const at = search(s, id, idOf);
  return at >= 0 ? s[at] : undefined;
}

/** Sets key `k` to `v` as `stamp`'s writer, timestamped after the key's write it sees in `s`. */
export function set<K, V>(s: LwwMapState<K, V>, k: K, v: V, stamp: WriteStamp): LwwMapDelta<K, V> {
  const id = keyOf(k);
  return [[id, k, stamp.tick(entryOf(s, id)?.[2]), stamp.writer, false, v]];
}

/** Deletes key `k` as `stamp`'s writer: a tombstone timestamped after the key's write it sees in `s`. */
function deleteKey<K, V>(s: LwwMapState<K, V>, k: K, stamp: WriteStamp): LwwMapDelta<K, V> {
  const id = keyOf(k);
  return [[id, k, stamp.tick(entryOf(s, id)?.[2]), stamp.writer, true, null]];
}
export { deleteKey as delete };

/** The value at key `k`, or `undefined` when the key was never set or its latest write deleted it. */
export function get<K, V>(s: LwwMapState<K, V>, k: K): V | undefined {
  const e = entryOf(s, keyOf(k));
  return e === undefined || e[4] ? undefined : (e[5] as V);
}

/** The live `[key, value]` pairs, in canonical key order (the same on every replica). */
export function entries<K, V>(s: LwwMapState<K, V>): [K, V][] {
  return s.filter((e) => !e[4]).map((e) => [e[1], e[5] as V]);
}

/** The number of live keys. */
export function size(s: LwwMapState): number {
  let n = 0;
  for (const e of s) if (!e[4]) n++;
  return n;
}
