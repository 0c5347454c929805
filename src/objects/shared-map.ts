import { defineType } from './object-type.ts';
import { reducer } from './reducers.ts';
import { describe } from '../errors/describe-value.ts';
import { badArgs } from './validate.ts';

/** Keys a `SharedMap` accepts: strings and numbers (compared as JavaScript Map keys). */
export type MapKey = string | number;

function mapKey(k: unknown): MapKey {
  if (typeof k === 'string' || (typeof k === 'number' && !Number.isNaN(k))) return k;
  throw badArgs(`map keys must be strings or numbers, got ${describe(k)}`);
}

/** Node-side state of a `SharedMap`; iteration follows insertion order. */
export class SharedMapState {
  readonly map = new Map<MapKey, unknown>();

  get(k: unknown): unknown {
    const v = this.map.get(mapKey(k));
    return v === undefined ? null : v;
  }
  set(k: unknown, v: unknown): null {
    this.map.set(mapKey(k), v);
    return null;
  }
  has(k: unknown): boolean {
    return this.map.has(mapKey(k));
  }
  delete(k: unknown): boolean {
    return this.map.delete(mapKey(k));
  }
  size(): number {
    return this.map.size;
  }
  keys(): MapKey[] {
    return [...this.map.keys()];
  }
  values(): unknown[] {
    return [...this.map.values()];
  }
  entries(): [MapKey, unknown][] {
    return [...this.map.entries()];
  }
  clear(): null {
    this.map.clear();
    return null;
  }
  merge(k: unknown, v: unknown, name: unknown): unknown {
    const key = mapKey(k);
    const merged = reducer(name)(this.map.get(key), v);
    this.map.set(key, merged);
    return merged;
  }
  mergeAll(entries: unknown, name: unknown): number {
    const reduce = reducer(name);
    const pairs = toPairs(entries);
    // Compute every merge before storing any, so a bad entry leaves the map untouched.
    const staged = new Map<MapKey, unknown>();
    for (const [key, value] of pairs) {
      const current = staged.has(key) ? staged.get(key) : this.map.get(key);
      staged.set(key, reduce(current, value));
    }
    for (const [key, value] of staged) this.map.set(key, value);
    return staged.size;
  }
}

/** A plain object (not a reference, typed array, Date, Set...), whose own keys are map keys. */
function isRecord(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function toPairs(entries: unknown): [MapKey, unknown][] {
  if (Array.isArray(entries)) {
    return entries.map((e) => {
      if (!Array.isArray(e) || e.length !== 2) throw badArgs('mergeAll entries must be [key, value] pairs');
      return [mapKey(e[0]), e[1]];
    });
  }
  if (isRecord(entries)) return Object.entries(entries);
  throw badArgs(`mergeAll takes [key, value] pairs or a plain object, got ${describe(entries)}`);
}

/** The `SharedMap` type. */
export const SharedMapType = defineType(
  'SharedMap',
  SharedMapState,
  {
    get: { readonly: true, arity: [1, 1] },
    set: { arity: [2, 2] },
    has: { readonly: true, arity: [1, 1] },
    delete: { arity: [1, 1] },
    size: { readonly: true, arity: [0, 0] },
    keys: { readonly: true, arity: [0, 0] },
    values: { readonly: true, arity: [0, 0] },
    entries: { readonly: true, arity: [0, 0] },
    clear: { arity: [0, 0] },
    merge: { arity: [3, 3] },
    mergeAll: { arity: [2, 2] },
  },
  { initArity: [0, 0], atomic: true },
);
