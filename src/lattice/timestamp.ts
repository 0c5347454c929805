import { badArgs } from '../objects/validate.ts';
import { describe } from '../errors/describe-value.ts';

/** A hybrid logical clock reading `[wall ms, counter]`, as `WriteStamp.tick` returns it. */
export type Timestamp = readonly [ms: number, n: number];

/** The timestamp before every write (`[0, 0]`): what a new register's initial value carries. */
export const ZERO: Timestamp = [0, 0];

/** Orders two timestamps: negative when `a` is earlier, 0 when equal, positive when later. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/**
 * Orders two writes by (timestamp, then writer id): the last-writer-wins order. Writer ids
 * compare by UTF-16 code units, the same on every machine.
 */
export function compareWrites(ta: Timestamp, wa: string, tb: Timestamp, wb: string): number {
  const c = compareTimestamps(ta, tb);
  if (c !== 0) return c;
  return wa < wb ? -1 : wa > wb ? 1 : 0;
}

/** A timestamp off the wire: two non-negative safe integers, or `EBAD_ARGS` naming `name`. */
export function checkTimestamp(x: unknown, name: string): Timestamp {
  if (
    !Array.isArray(x) ||
    x.length !== 2 ||
    !x.every((p) => typeof p === 'number' && Number.isSafeInteger(p) && p >= 0)
  ) {
    throw badArgs(`${name} must be a timestamp [ms, n] of two non-negative safe integers, got ${describe(x)}`);
  }
  return [x[0], x[1]];
}
