import { registerHandle } from '../client/handle-registry.ts';
import * as pn from '../lattice/pn-counter.ts';
import { LatticeObject, type LatticeKey } from './lattice-object.ts';

/**
 * A counter that any number of processes add to at once without coordination (a PN-counter: each
 * writer's increments and decrements are kept apart and summed). `add` costs no round trip: it
 * is merged into the process's cache and sent to the node in the background (see
 * {@link LatticeObject}). For a counter whose every answer must be unique, use `AtomicLong`.
 *
 * ```ts
 * const views = new PnCounter('views');
 * await views.add(1);
 * const n = await views.value();
 * ```
 */
export class PnCounter extends LatticeObject<pn.PnCounterState, pn.PnCounterDelta> {
  /** @param initial the value when the object is created (default 0, a safe integer); ignored if it exists. */
  constructor(key: LatticeKey, initial?: number) {
    super(pn.PnCounterLattice, key, [initial]);
  }
  /** Adds `n`, a safe integer (negative to subtract). */
  add(n: number): Promise<void> {
    return this.update((s, stamp) => pn.add(s, n, stamp));
  }
  /** The sum of every add this session sees. */
  value(): Promise<number> {
    return this.view(pn.value);
  }
}
registerHandle('PnCounter', PnCounter);
