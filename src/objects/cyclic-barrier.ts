import { callState, onCancel, park, type Park } from './monitor.ts';
import { BrokenBarrierError } from './object-errors.ts';
import { defineType } from './object-type.ts';
import { intAtLeast } from './validate.ts';

/** One `await` call's arrival, kept across its re-runs. */
interface Arrival {
  readonly generation: number;
  arrived: boolean;
  /** Set for every party when the barrier trips. */
  index: number;
}

/** Node-side state of a `CyclicBarrier`. */
export class CyclicBarrierState {
  readonly total: number;
  /** The parties waiting in the current generation, in arrival order. */
  arrivals: Arrival[] = [];
  generation = 0;
  brokenGeneration = -1;

  constructor(parties: unknown) {
    this.total = intAtLeast(parties, 1, 'parties');
  }

  /**
   * Arrives and waits for the rest of the parties. Returns the arrival index as Java does:
   * `parties - 1` for the first to arrive, 0 for the last; the indexes of one trip are a
   * permutation of `0..parties-1`. A withdrawn waiter (timeout, disconnect) takes its arrival
   * back, and the parties after it move up.
   */
  await(): number | Park {
    const me = callState<Arrival>(() => ({ generation: this.generation, arrived: false, index: -1 }));
    if (!me.arrived) {
      me.arrived = true;
      this.arrivals.push(me);
      if (this.arrivals.length === this.total) {
        this.arrivals.forEach((a, i) => (a.index = this.total - 1 - i));
        this.arrivals = [];
        this.generation++;
        return me.index;
      }
      onCancel(() => {
        const i = this.arrivals.indexOf(me);
        if (i >= 0) this.arrivals.splice(i, 1);
      });
    }
    if (this.brokenGeneration === me.generation) {
      throw new BrokenBarrierError('the barrier was reset while this party waited');
    }
    return this.generation === me.generation ? park() : me.index;
  }
  parties(): number {
    return this.total;
  }
  waiting(): number {
    return this.arrivals.length;
  }
  /** Starts a new generation; parties waiting in the old one fail with `BrokenBarrierError`. */
  reset(): null {
    if (this.arrivals.length > 0) this.brokenGeneration = this.generation;
    this.arrivals = [];
    this.generation++;
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
  { initArity: [1, 1], atomic: true },
);
