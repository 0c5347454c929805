import { registerHandle } from '../client/handle-registry.ts';
import * as gset from '../lattice/g-set.ts';
import { checkSerializable } from '../runtime/serializable.ts';
import { LatticeObject, type LatticeKey } from './lattice-object.ts';

/**
 * A grow-only set: items are added, never removed; members compare by structure (`[1, 2]` equals
 * `[1, 2]`). A lattice object (see {@link LatticeObject}).
 */
export class GSet<T = unknown> extends LatticeObject<gset.GSetState, gset.GSetDelta> {
  constructor(key: LatticeKey) {
    super(gset.GSetLattice, key, []);
  }
  /** Adds the items (msgpack values). */
  add(...items: T[]): Promise<void> {
    return this.update((s) => {
      checkSerializable(items, 'items');
      return gset.add(s, items);
    });
  }
  /** Whether `v` is a member. */
  has(v: T): Promise<boolean> {
    return this.view((s) => gset.has(s, v));
  }
  /** The members, in the same order in every process. */
  values(): Promise<T[]> {
    return this.view((s) => gset.values(s) as T[]);
  }
  /** The number of members. */
  size(): Promise<number> {
    return this.view(gset.size);
  }
}
registerHandle('GSet', GSet);
