import { registerHandle } from '../client/handle-registry.ts';
import * as orset from '../lattice/or-set.ts';
import { checkSerializable } from '../runtime/serializable.ts';
import { LatticeObject, type LatticeKey } from './lattice-object.ts';

/**
 * A set with removal (observed-remove): `remove` takes away the additions of `v` that this
 * process has seen; an `add` made concurrently elsewhere survives it (add wins). Members compare
 * by structure. A lattice object (see {@link LatticeObject}).
 */
export class OrSet<T = unknown> extends LatticeObject<orset.OrSetState, orset.OrSetDelta> {
  constructor(key: LatticeKey) {
    super(orset.OrSetLattice, key, []);
  }
  /** Adds `v` (a msgpack value). */
  add(v: T): Promise<void> {
    return this.update((s, stamp) => {
      checkSerializable(v, 'value');
      return orset.add(s, v, stamp);
    });
  }
  /** Removes `v` as this process sees it. */
  remove(v: T): Promise<void> {
    return this.update((s) => orset.remove(s, v));
  }
  /** Whether `v` is a member. */
  has(v: T): Promise<boolean> {
    return this.view((s) => orset.has(s, v));
  }
  /** The members, in the same order in every process. */
  values(): Promise<T[]> {
    return this.view((s) => orset.values(s) as T[]);
  }
  /** The number of members. */
  size(): Promise<number> {
    return this.view(orset.size);
  }
}
registerHandle('OrSet', OrSet);
