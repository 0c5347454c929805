import { describe } from '../errors/describe-value.ts';
import { InvalidCallError } from '../errors/invalid-call-error.ts';

/** An `EBAD_ARGS` error: the call's arguments are not what the method takes. */
export function badArgs(message: string): InvalidCallError {
  return new InvalidCallError('EBAD_ARGS', message);
}

/** A safe integer, or `EBAD_ARGS`. */
export function int(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw badArgs(`${name} must be a safe integer, got ${describe(value)}`);
  }
  return value;
}

/** An integer >= `min`, or `EBAD_ARGS`. */
export function intAtLeast(value: unknown, min: number, name: string): number {
  const n = int(value, name);
  if (n < min) throw badArgs(`${name} must be >= ${min}, got ${n}`);
  return n;
}

/** A finite or infinite number (not NaN), or `EBAD_ARGS`. */
export function num(value: unknown, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw badArgs(`${name} must be a number, got ${describe(value)}`);
  return value;
}

/** A boolean, or `EBAD_ARGS`. */
export function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw badArgs(`${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/** A string, or `EBAD_ARGS`. */
export function str(value: unknown, name: string): string {
  if (typeof value !== 'string') throw badArgs(`${name} must be a string, got ${describe(value)}`);
  return value;
}
