import type { Lattice, WriteStamp } from './lattice.ts';
import { checkInit, checkRecord, checkWriter } from './check.ts';
import { checkTimestamp, compareWrites, ZERO, type Timestamp } from './timestamp.ts';
import { valueBytes } from './value-bytes.ts';

/**
 * A last-writer-wins register's state: the value of the latest write, its timestamp and its
 * writer. A new register holds its initial value at `[0, 0]` by the reserved writer `''`.
 */
export interface LwwRegisterState<T = unknown> {
  readonly ts: Timestamp;
  readonly w: string;
  readonly v: T;
}

/** A write to an `LwwRegister`: a state (the write alone), joined like any state. */
export type LwwRegisterDelta<T = unknown> = LwwRegisterState<T>;

/**
 * `LwwRegister<T>`: the write with the highest (timestamp, writer id) wins. Two states with the
 * same timestamp and writer are the same write (a writer never reuses a timestamp), so the join
 * keeps the left one. Init `[initial = null]`.
 */
export const LwwRegisterLattice: Lattice<LwwRegisterState, LwwRegisterDelta> = {
  name: 'LwwRegister',
  initial(init) {
    checkInit(init, 1, 'LwwRegister');
    return { ts: ZERO, w: '', v: init.length > 0 ? init[0] : null };
  },
  join: joinRegisters,
  combine: joinRegisters,
  clock: (s) => s.ts,
  absorb: (s, delta) => joinRegisters(s, delta),
  apply: (s, delta) => joinRegisters(s, delta),
  compact: (s) => s,
  checkState: (x) => checkRegister(x, 'an LwwRegister state', true),
  checkDelta: (x) => checkRegister(x, 'an LwwRegister delta', false),
  bytes: (s) => 64 + s.w.length * 2 + valueBytes(s.v),
  describe: (s) => ({ value: s.v, writer: s.w, ts: s.ts }),
};

function joinRegisters<T>(a: LwwRegisterState<T>, b: LwwRegisterState<T>): LwwRegisterState<T> {
  return compareWrites(a.ts, a.w, b.ts, b.w) >= 0 ? a : b;
}

function checkRegister(x: unknown, name: string, reserved: boolean): LwwRegisterState {
  const r = checkRecord(x, ['ts', 'w', 'v'], name);
  return { ts: checkTimestamp(r.ts, `${name}'s ts`), w: checkWriter(r.w, `${name}'s writer`, reserved), v: r.v };
}

/** The write of `value` by `stamp`'s writer, timestamped after the write it sees in `s`. */
export function set<T>(s: LwwRegisterState<T>, value: T, stamp: WriteStamp): LwwRegisterDelta<T> {
  return { ts: stamp.tick(s.ts), w: stamp.writer, v: value };
}

/** The register's value. */
export function get<T>(s: LwwRegisterState<T>): T {
  return s.v;
}
