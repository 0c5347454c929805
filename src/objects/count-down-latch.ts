import { park, type Park } from './monitor.ts';
import { defineType } from './object-type.ts';
import { intAtLeast } from './validate.ts';

/** Node-side state of a `CountDownLatch`. */
export class CountDownLatchState {
  count: number;

  constructor(count: unknown) {
    this.count = intAtLeast(count, 0, 'count');
  }

  countDown(): null {
    if (this.count > 0) this.count--;
    return null;
  }
  await(): null | Park {
    return this.count === 0 ? null : park();
  }
  getCount(): number {
    return this.count;
  }
}

/** The `CountDownLatch` type. */
export const CountDownLatchType = defineType(
  'CountDownLatch',
  CountDownLatchState,
  {
    countDown: { arity: [0, 0] },
    await: { readonly: true, arity: [0, 0] },
    getCount: { readonly: true, arity: [0, 0] },
  },
  { initArity: [1, 1], atomic: true },
);
