import { registerHandle } from '../client/handle-registry.ts';
import type { CyclicBarrierState } from '../objects/cyclic-barrier.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey, WaitOptions } from './shared-object.ts';

/**
 * A reusable barrier for a fixed number of parties, held on the node: waiting parties hold no
 * thread and no connection slot. Cyclic: once all parties arrive it opens and starts over.
 */
export class CyclicBarrier extends BuiltinObject<CyclicBarrierState> {
  /** @param parties how many `await` calls open the barrier; used when the object is created. */
  constructor(key: ObjectKey, parties?: number) {
    super('CyclicBarrier', key, [parties]);
  }
  /**
   * Arrives and waits until all parties have. Resolves to the arrival index as in Java:
   * `parties - 1` for the first to arrive, 0 for the last. On timeout it rejects with
   * `TimeoutError` and the arrival is taken back; if the barrier is `reset` meanwhile it rejects
   * with a `RemoteError` named `BrokenBarrierError`.
   */
  await(opts?: WaitOptions): Promise<number> {
    return this.invoke('await', [], opts);
  }
  /** The number of parties. */
  parties(): Promise<number> {
    return this.invoke('parties', []);
  }
  /** Parties currently waiting. */
  waiting(): Promise<number> {
    return this.invoke('waiting', []);
  }
  /** Starts over; parties waiting now fail with `BrokenBarrierError`. */
  reset(): Promise<void> {
    return this.invoke('reset', []);
  }
}
registerHandle('CyclicBarrier', CyclicBarrier);
