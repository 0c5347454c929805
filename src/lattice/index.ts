import type { Lattice } from './lattice.ts';
import { CausalRegisterLattice } from './causal-register.ts';
import { GSetLattice } from './g-set.ts';
import { LwwMapLattice } from './lww-map.ts';
import { LwwRegisterLattice } from './lww-register.ts';
import { MaxRegisterLattice } from './max-register.ts';
import { OrSetLattice } from './or-set.ts';
import { PnCounterLattice } from './pn-counter.ts';

/**
 * Every lattice type by its name on the wire (`LATTICES.get('PnCounter')`). A type's ops (which
 * make deltas) and reads live in its own module (`pn-counter.ts`: `add`, `value`).
 */
export const LATTICES: ReadonlyMap<string, Lattice<any, any>> = new Map<string, Lattice<any, any>>(
  [
    LwwRegisterLattice,
    PnCounterLattice,
    MaxRegisterLattice,
    GSetLattice,
    OrSetLattice,
    LwwMapLattice,
    CausalRegisterLattice,
  ].map((l: Lattice<any, any>) => [l.name, l]),
);
