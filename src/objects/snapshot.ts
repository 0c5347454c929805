import { ObjectRef } from '../protocol/codec.ts';

/** The own fields of an object as they were, deep-copied. */
export type Snapshot = Map<string | symbol, unknown>;

/**
 * Copies an object's own fields deeply, keeping prototypes (class instances stay instances),
 * aliasing (two fields that share an array still share its copy) and cycles. References to other
 * shared objects are immutable and shared, not copied. Functions are kept as they are.
 */
export function takeSnapshot(obj: object): Snapshot {
  const seen = new Map<object, unknown>();
  const snap: Snapshot = new Map();
  for (const key of Reflect.ownKeys(obj)) snap.set(key, copy((obj as Record<string | symbol, unknown>)[key], seen));
  return snap;
}

/** Puts an object's own fields back as the snapshot has them (fields added since are removed). */
export function restoreSnapshot(obj: object, snap: Snapshot): void {
  const target = obj as Record<string | symbol, unknown>;
  for (const key of Reflect.ownKeys(obj)) if (!snap.has(key)) delete target[key];
  for (const [key, value] of snap) target[key] = value;
}

function copy(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object' || value instanceof ObjectRef) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  let out: unknown;
  if (ArrayBuffer.isView(value)) {
    out = value instanceof DataView ? new DataView(value.buffer.slice(0)) : (value as unknown as { slice(): unknown }).slice();
    seen.set(value, out);
  } else if (value instanceof ArrayBuffer) {
    out = value.slice(0);
    seen.set(value, out);
  } else if (value instanceof Date) {
    out = new Date(value.getTime());
    seen.set(value, out);
  } else if (Array.isArray(value)) {
    const arr: unknown[] = new Array(value.length);
    seen.set(value, arr);
    for (let i = 0; i < value.length; i++) arr[i] = copy(value[i], seen);
    out = arr;
  } else if (value instanceof Map) {
    const map = new Map();
    seen.set(value, map);
    for (const [k, v] of value) map.set(copy(k, seen), copy(v, seen));
    out = map;
  } else if (value instanceof Set) {
    const set = new Set();
    seen.set(value, set);
    for (const v of value) set.add(copy(v, seen));
    out = set;
  } else {
    const obj = Object.create(Object.getPrototypeOf(value)) as Record<string | symbol, unknown>;
    seen.set(value, obj);
    for (const key of Reflect.ownKeys(value)) obj[key] = copy((value as Record<string | symbol, unknown>)[key], seen);
    out = obj;
  }
  return out;
}
