import { ObjectRef } from '../protocol/codec.ts';

/** What one object held: restoring writes it back into that same object. */
type Saved =
  | { kind: 'fields'; target: Record<string | symbol, unknown>; proto: object | null; keys: (string | symbol)[]; values: unknown[] }
  | { kind: 'array'; target: unknown[]; items: unknown[] }
  | { kind: 'map'; target: Map<unknown, unknown>; entries: [unknown, unknown][] }
  | { kind: 'set'; target: Set<unknown>; values: unknown[] }
  | { kind: 'bytes'; target: Uint8Array; bytes: Uint8Array }
  | { kind: 'date'; target: Date; time: number };

/**
 * A rollback point: the contents of an object and of every object reachable from it, as they
 * were before a call, for {@link rollBack} to put back if the call throws.
 */
export interface RollbackPoint {
  readonly saved: readonly Saved[];
}

/**
 * Records an object's own fields and, recursively, the contents of every object they reach:
 * arrays, Maps, Sets, typed arrays, Dates and plain or class instances. Objects are recorded, not
 * copied, so a restore puts each one back as it was in place: identity, prototypes, aliasing and
 * cycles survive, as do objects only reachable from elsewhere (closures). References to other
 * shared objects are immutable and functions are left as they are. `#private` fields cannot be
 * seen, so they are not recorded.
 */
export function saveForRollback(obj: object): RollbackPoint {
  const seen = new Set<object>();
  const saved: Saved[] = [];
  const pending: object[] = [obj];
  seen.add(obj);
  // An explicit stack: deep state (a long linked list) must not overflow the call stack.
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    const children = record(value, saved);
    for (const child of children) {
      if (child !== null && typeof child === 'object' && !(child instanceof ObjectRef) && !seen.has(child)) {
        seen.add(child);
        pending.push(child);
      }
    }
  }
  return { saved };
}

/**
 * Puts back what {@link saveForRollback} recorded, into the same objects: fields and elements
 * added since are removed, removed ones come back (in their old order), changed ones get their
 * old values.
 */
export function rollBack(point: RollbackPoint): void {
  for (const s of point.saved) {
    switch (s.kind) {
      case 'fields': {
        const { target, keys, values } = s;
        if (Object.getPrototypeOf(target) !== s.proto) Object.setPrototypeOf(target, s.proto);
        const now = Reflect.ownKeys(target);
        let same = 0;
        while (same < now.length && same < keys.length && now[same] === keys[same]) same++;
        // Fields from the first difference on are removed and put back, so their order is the old one too.
        for (let i = same; i < now.length; i++) delete target[now[i]!];
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          if (i < same && Object.is(target[key], values[i])) continue;
          // An own field named `__proto__` is a field; assigning it would set the prototype instead.
          if (key === '__proto__') Object.defineProperty(target, key, { value: values[i], writable: true, enumerable: true, configurable: true });
          else target[key] = values[i];
        }
        break;
      }
      case 'array': {
        const { target, items } = s;
        if (target.length !== items.length) target.length = items.length;
        for (let i = 0; i < items.length; i++) {
          const item = items[i];
          if (!Object.is(target[i], item)) target[i] = item;
          else if (item === undefined && i in items !== i in target) {
            // A hole and an `undefined` element read the same; put back whichever it was.
            if (i in items) target[i] = item;
            else delete target[i];
          }
        }
        break;
      }
      case 'map':
        s.target.clear();
        for (const [k, v] of s.entries) s.target.set(k, v);
        break;
      case 'set':
        s.target.clear();
        for (const v of s.values) s.target.add(v);
        break;
      case 'bytes':
        s.target.set(s.bytes);
        break;
      case 'date':
        s.target.setTime(s.time);
        break;
    }
  }
}

/** Records what `value` holds and answers the values inside it. */
function record(value: object, saved: Saved[]): Iterable<unknown> {
  if (ArrayBuffer.isView(value)) {
    const target = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    saved.push({ kind: 'bytes', target, bytes: target.slice() });
    return [];
  }
  if (value instanceof ArrayBuffer) {
    const target = new Uint8Array(value);
    saved.push({ kind: 'bytes', target, bytes: target.slice() });
    return [];
  }
  if (value instanceof Date) {
    saved.push({ kind: 'date', target: value, time: value.getTime() });
    return [];
  }
  if (Array.isArray(value)) {
    const items = value.slice();
    saved.push({ kind: 'array', target: value, items });
    return items;
  }
  if (value instanceof Map) {
    const entries = [...value];
    saved.push({ kind: 'map', target: value, entries });
    return entries.flat();
  }
  if (value instanceof Set) {
    const values = [...value];
    saved.push({ kind: 'set', target: value, values });
    return values;
  }
  const target = value as Record<string | symbol, unknown>;
  const keys = Reflect.ownKeys(target);
  const values = keys.map((key) => target[key]);
  saved.push({ kind: 'fields', target, proto: Object.getPrototypeOf(target) as object | null, keys, values });
  return values;
}
