import { ObjectRef } from '../protocol/codec.ts';

/**
 * Structural equality of wire values: primitives by `Object.is` (except that 0 equals -0), arrays
 * and typed arrays element-wise, plain objects key by key, Sets by members, references by type
 * and key.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (a instanceof ObjectRef || b instanceof ObjectRef) {
    return a instanceof ObjectRef && b instanceof ObjectRef && a.type === b.type && a.key === b.key;
  }
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    if (Array.isArray(a) !== Array.isArray(b) || !(Array.isArray(b) || ArrayBuffer.isView(b))) return false;
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
