import type { BuiltinReducer } from '../objects/reducers.ts';
import { registerHandle } from '../client/handle-registry.ts';
import type { SharedMapState } from '../objects/shared-map.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey } from './shared-object.ts';

/** A reducer name: a built-in one or one registered with `registerReducer` on the node. */
export type ReducerName = BuiltinReducer | (string & {});

/**
 * A shared map with string or number keys (insertion-ordered). `get` of a missing key resolves to
 * null. `merge` runs a named reducer on the node, so read-modify-write needs one round trip.
 */
export class SharedMap<K extends string | number = string, V = unknown> extends BuiltinObject<SharedMapState> {
  constructor(key: ObjectKey) {
    super('SharedMap', key, []);
  }
  /** The value at `k`, or null. */
  get(k: K): Promise<V | null> {
    return this.invoke('get', [k]);
  }
  /** Stores `v` at `k`. */
  set(k: K, v: V): Promise<void> {
    return this.invoke('set', [k, v]);
  }
  /** Whether `k` is present. */
  has(k: K): Promise<boolean> {
    return this.invoke('has', [k]);
  }
  /** Removes `k`; resolves to whether it was present. */
  delete(k: K): Promise<boolean> {
    return this.invoke('delete', [k]);
  }
  /** Number of entries. */
  size(): Promise<number> {
    return this.invoke('size', []);
  }
  /** All keys, in insertion order. */
  keys(): Promise<K[]> {
    return this.invoke('keys', []);
  }
  /** All values, in insertion order. */
  values(): Promise<V[]> {
    return this.invoke('values', []);
  }
  /** All entries, in insertion order. */
  entries(): Promise<[K, V][]> {
    return this.invoke('entries', []);
  }
  /** Removes every entry. */
  clear(): Promise<void> {
    return this.invoke('clear', []);
  }
  /**
   * Stores `reducer(current, v)` at `k` (current is undefined when absent); resolves to the stored
   * value. Built-in reducers: `sum`, `min`, `max`, `concat` (strings or arrays), `replace`.
   */
  merge(k: K, v: V, reducer: ReducerName): Promise<V> {
    return this.invoke('merge', [k, v, reducer]);
  }
  /**
   * Merges many entries in one call, all or nothing; resolves to the number of distinct keys
   * written.
   */
  mergeAll(entries: Iterable<[K, V]> | Record<string, V>, reducer: ReducerName): Promise<number> {
    const list = Symbol.iterator in Object(entries) ? [...(entries as Iterable<[K, V]>)] : entries;
    return this.invoke('mergeAll', [list, reducer]);
  }
}
registerHandle('SharedMap', SharedMap);
