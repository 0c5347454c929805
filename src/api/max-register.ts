import { registerHandle } from '../client/handle-registry.ts';
import * as max from '../lattice/max-register.ts';
import { LatticeObject, type LatticeKey } from './lattice-object.ts';

/**
 * A number that only grows: the highest value ever offered (a best score, a high-water mark). A
 * lattice object (see {@link LatticeObject}).
 */
export class MaxRegister extends LatticeObject<max.MaxRegisterState, max.MaxRegisterDelta> {
  /** @param initial the value when the object is created (default -Infinity); ignored if it exists. */
  constructor(key: LatticeKey, initial?: number) {
    super(max.MaxRegisterLattice, key, [initial]);
  }
  /** Raises the value to `n` if `n` is higher (a number, not NaN). */
  offer(n: number): Promise<void> {
    return this.update((s) => max.offer(s, n));
  }
  /** The highest value offered that this session sees. */
  value(): Promise<number> {
    return this.view(max.value);
  }
}
registerHandle('MaxRegister', MaxRegister);
