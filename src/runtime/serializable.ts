import type { CallTarget } from '../client/client.ts';
import { SerializationError } from '../errors/serialization-error.ts';
import { ObjectRef } from '../protocol/codec.ts';

/**
 * Checks that `value` survives the trip as a msgpack value: primitives, arrays, plain objects,
 * typed arrays and Buffers, Dates, Maps (they arrive as plain objects), Sets, and shared-object
 * handles. Functions, symbols, class instances, errors and cycles throw a
 * {@link SerializationError} naming the path; msgpack would silently drop or flatten them. So does
 * a handle never called that holds init args or `forceNew`: a handle travels as its type and key
 * only, so the receiver would create the object without them.
 */
export function checkSerializable(value: unknown, path: string): void {
  walk(value, path, new Set());
}

function walk(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return;
    case 'function':
      throw new SerializationError(path, 'is a function; functions cannot be sent (pass data, or a task name)');
    case 'symbol':
      throw new SerializationError(path, 'is a symbol, which cannot be sent');
  }
  if (value instanceof ObjectRef) return checkCreated(value, path);
  if (value === null || ArrayBuffer.isView(value) || value instanceof Date) return;
  const obj = value as object;
  if (seen.has(obj)) throw new SerializationError(path, 'is part of a cycle, which cannot be sent');
  seen.add(obj);
  if (Array.isArray(obj)) {
    obj.forEach((item, i) => walk(item, `${path}[${i}]`, seen));
  } else if (obj instanceof Map) {
    for (const [k, v] of obj) walk(v, `${path}.get(${String(k)})`, seen);
  } else if (obj instanceof Set) {
    let i = 0;
    for (const v of obj) walk(v, `${path}<set item ${i++}>`, seen);
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj.constructor as { name?: string } | undefined)?.name ?? 'an object';
      throw new SerializationError(path, `is a ${name} instance; only plain objects, arrays and handles can be sent`);
    }
    for (const [k, v] of Object.entries(obj)) walk(v, `${path}.${k}`, seen);
  }
  seen.delete(obj);
}

function checkCreated(ref: ObjectRef, path: string): void {
  const target = ref as Partial<CallTarget>;
  if (target.initSent !== false || ((target.init?.length ?? 0) === 0 && !target.forceNew)) return;
  throw new SerializationError(
    path,
    `is a handle to ${ref.type} '${ref.key}' that was never called: its init args and forceNew stay with it, so the object would be created without them; await a call on the handle before sending it`,
  );
}
