import { blockUntil, callState, onCancel } from './monitor.ts';
import { BrokenBarrierError } from './object-errors.ts';
import { defineType } from './object-type.ts';
import { intAtLeast } from './validate.ts';

/** Node-side state of a `CyclicBarrier`. */
export class CyclicBarrierState {
  readonly total: number;
  arrived = 0;
  generation = 0;
  brokenGeneration = -1;

  constructor(parties: unknown) {
    this.total = intAtLeast(parties, 1, 'parties');
  }

  /**
   * Arrives and waits for the rest of the parties. Returns the arrival index as Java does:
   * `parties - 1` for the first to arrive, 0 for the last. A withdrawn waiter (timeout,
   * disconnect) takes its arrival back.
   */
  await(): number {
    const me = callState(() => ({ generation: this.generation, index: -1 }));
    if (me.index < 0) {
      me.index = this.total - 1 - this.arrived;
      this.arrived++;
      if (this.arrived === this.total) {
        this.arrived = 0;
        this.generation++;
        return me.index;
      }
      onCancel(() => {
        if (this.generation === me.generation) this.arrived--;
      });
    }
    if (this.brokenGeneration === me.generation) {
      throw new BrokenBarrierError('the barrier was reset while this party waited');
    }
    blockUntil(this.generation !== me.generation);
    return me.index;
  }
  parties(): number {
    return this.total;
  }
  waiting(): number {
    return this.arrived;
  }
  /** Starts a new generation; parties waiting in the old one fail with `BrokenBarrierError`. */
  reset(): null {
    if (this.arrived > 0) this.brokenGeneration = this.generation;
    this.generation++;
    this.arrived = 0;
    return null;
  }
}

/** The `CyclicBarrier` type. */
export const CyclicBarrierType = defineType(
  'CyclicBarrier',
  CyclicBarrierState,
  {
    await: { arity: [0, 0] },
    parties: { readonly: true, arity: [0, 0] },
    waiting: { readonly: true, arity: [0, 0] },
    reset: { arity: [0, 0] },
  },
  [1, 1],
);
