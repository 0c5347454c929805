import { badArgs } from '../objects/validate.ts';
import { describe } from '../errors/describe-value.ts';

/**
 * Shape checks for states and deltas that come off the wire. Each throws `EBAD_ARGS` naming the
 * part that is wrong; none trusts a prototype (a decoded object may carry an own `__proto__`).
 */

/** A plain object with exactly the own keys `keys` (no more, no fewer), or `EBAD_ARGS`. */
export function checkRecord(x: unknown, keys: readonly string[], name: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) {
    throw badArgs(`${name} must be an object {${keys.join(', ')}}, got ${describe(x)}`);
  }
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) throw badArgs(`${name} must be a plain object`);
  const own = Object.keys(x);
  for (const k of own) if (!keys.includes(k)) throw badArgs(`${name} has an unexpected field ${describe(k)}`);
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(x, k)) throw badArgs(`${name} lacks the field ${describe(k)}`);
  }
  return x as Record<string, unknown>;
}

/** An array, or `EBAD_ARGS`. */
export function checkArray(x: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(x)) throw badArgs(`${name} must be an array, got ${describe(x)}`);
  return x;
}

/** An array of exactly `length` elements, or `EBAD_ARGS`. */
export function checkTuple(x: unknown, length: number, name: string): readonly unknown[] {
  if (!Array.isArray(x) || x.length !== length) {
    throw badArgs(`${name} must be an array of ${length} elements, got ${describe(x)}`);
  }
  return x;
}

/** A writer id: a string, non-empty unless `reserved` allows the empty id; or `EBAD_ARGS`. */
export function checkWriter(x: unknown, name: string, reserved = false): string {
  if (typeof x !== 'string') throw badArgs(`${name} must be a writer id (a string), got ${describe(x)}`);
  if (x === '' && !reserved) throw badArgs(`${name} must not be the reserved empty writer id`);
  return x;
}

/** A non-negative safe integer, or `EBAD_ARGS`. */
export function checkCount(x: unknown, name: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) {
    throw badArgs(`${name} must be a non-negative safe integer, got ${describe(x)}`);
  }
  return x;
}

/** Throws `EBAD_ARGS` unless `keys` are in strictly ascending code-unit order (sorted, unique). */
export function checkAscending(keys: readonly string[], name: string): void {
  for (let i = 1; i < keys.length; i++) {
    if (!((keys[i - 1] as string) < (keys[i] as string))) {
      throw badArgs(`${name} must be sorted and without duplicates (at index ${i})`);
    }
  }
}

/** Init args of at most `max` elements, or `EBAD_ARGS`. */
export function checkInit(init: readonly unknown[], max: number, type: string): void {
  if (!Array.isArray(init) || init.length > max) {
    throw badArgs(`${type} takes at most ${max} init argument${max === 1 ? '' : 's'}`);
  }
}
