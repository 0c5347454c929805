import { park } from './monitor.ts';
import { FutureFailedError } from './object-errors.ts';
import { defineType } from './object-type.ts';
import { str } from './validate.ts';

/** Node-side state of a `SharedFuture`: completed at most once, by `set` or `fail`. */
export class SharedFutureState {
  state: 'pending' | 'done' | 'failed' = 'pending';
  value: unknown = null;
  failure = '';

  /** Completes with `value`; false (and no change) if already completed. */
  set(value: unknown): boolean {
    if (this.state !== 'pending') return false;
    this.state = 'done';
    this.value = value;
    return true;
  }
  /** Completes with a failure; false (and no change) if already completed. */
  fail(message: unknown): boolean {
    const m = str(message, 'message');
    if (this.state !== 'pending') return false;
    this.state = 'failed';
    this.failure = m;
    return true;
  }
  get(): unknown {
    if (this.state === 'pending') return park();
    if (this.state === 'failed') throw new FutureFailedError(this.failure);
    return this.value;
  }
  isDone(): boolean {
    return this.state !== 'pending';
  }
}

/** The `SharedFuture` type. */
export const SharedFutureType = defineType(
  'SharedFuture',
  SharedFutureState,
  {
    set: { arity: [1, 1] },
    fail: { arity: [1, 1] },
    get: { readonly: true, arity: [0, 0] },
    isDone: { readonly: true, arity: [0, 0] },
  },
  { initArity: [0, 0], atomic: true },
);
