import { ObjectRef } from '../protocol/codec.ts';

/**
 * Structural equality of wire values: primitives by `Object.is` (except that 0 equals -0), values
 * of different kinds (an array and an object with keys '0', '1', ...) never equal, arrays and typed
 * arrays element-wise, `ArrayBuffer`s and `DataView`s byte-wise, plain objects key by key
 * (in any order), Sets by members (structurally, one to one), Dates by time, RegExps by source
 * and flags, Errors by name and message, references by type and key.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isObject(a) || !isObject(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof ObjectRef || b instanceof ObjectRef) {
    return a instanceof ObjectRef && b instanceof ObjectRef && a.type === b.type && a.key === b.key;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof RegExp) return String(a) === String(b);
  if (a instanceof Error) return a.name === (b as Error).name && a.message === (b as Error).message;
  if (a instanceof ArrayBuffer || a instanceof DataView) return sameBytes(bytes(a), bytes(b as typeof a));
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Set) return sameMembers(a, b as Set<unknown>);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function bytes(v: ArrayBuffer | DataView): Uint8Array {
  return v instanceof DataView ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Primitive members match by `Set.has`; structured ones pair off one to one by `deepEqual`. */
function sameMembers(a: Set<unknown>, b: Set<unknown>): boolean {
  if (a.size !== b.size) return false;
  const unmatched = [...b].filter(isObject);
  for (const v of a) {
    if (!isObject(v)) {
      if (!b.has(v)) return false;
      continue;
    }
    const i = unmatched.findIndex((w) => deepEqual(v, w));
    if (i < 0) return false;
    unmatched.splice(i, 1);
  }
  return true;
}
