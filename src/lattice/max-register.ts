import { num } from '../objects/validate.ts';
import type { Lattice } from './lattice.ts';
import { checkInit } from './check.ts';

/** A `MaxRegister`'s state: the largest number offered (never NaN). */
export type MaxRegisterState = number;

/** An `offer` as it travels: the number offered, a state joined like any state. */
export type MaxRegisterDelta = number;

/**
 * `MaxRegister`: the largest number ever offered; the join is `Math.max` (which puts `0` above
 * `-0`). Init `[initial = -Infinity]` (a number, not NaN).
 */
export const MaxRegisterLattice: Lattice<MaxRegisterState, MaxRegisterDelta> = {
  name: 'MaxRegister',
  initial(init) {
    checkInit(init, 1, 'MaxRegister');
    return init.length > 0 ? num(init[0], 'a MaxRegister initial value') : -Infinity;
  },
  join: Math.max,
  combine: Math.max,
  absorb: (s, delta) => Math.max(s, delta),
  apply: (s, delta) => Math.max(s, delta),
  compact: (s) => s,
  checkState: (x) => num(x, 'a MaxRegister state'),
  checkDelta: (x) => num(x, 'a MaxRegister delta'),
  bytes: () => 8,
  describe: (s) => ({ value: s }),
};

/** Offers `n` (a number, not NaN): the delta is `n` when it raises the register, else `s` itself. */
export function offer(s: MaxRegisterState, n: number): MaxRegisterDelta {
  num(n, 'a MaxRegister offer');
  return Object.is(Math.max(s, n), s) ? s : n;
}

/** The register's value: the largest number offered, or the initial value. */
export function value(s: MaxRegisterState): number {
  return s;
}
