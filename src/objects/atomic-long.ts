import { defineType } from './object-type.ts';
import { int } from './validate.ts';

function checked(n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`AtomicLong overflow: ${n} is outside the safe integer range`);
  return n;
}

/** Node-side state of an `AtomicLong`: a safe integer (|v| < 2^53). */
export class AtomicLongState {
  value: number;

  constructor(initial: unknown = 0) {
    this.value = int(initial, 'initial');
  }

  get(): number {
    return this.value;
  }
  set(v: unknown): null {
    this.value = int(v, 'value');
    return null;
  }
  getAndSet(v: unknown): number {
    const prev = this.value;
    this.value = int(v, 'value');
    return prev;
  }
  incrementAndGet(): number {
    return (this.value = checked(this.value + 1));
  }
  decrementAndGet(): number {
    return (this.value = checked(this.value - 1));
  }
  addAndGet(delta: unknown): number {
    return (this.value = checked(this.value + int(delta, 'delta')));
  }
  getAndIncrement(): number {
    const prev = this.value;
    this.value = checked(prev + 1);
    return prev;
  }
  getAndAdd(delta: unknown): number {
    const prev = this.value;
    this.value = checked(prev + int(delta, 'delta'));
    return prev;
  }
  compareAndSet(expected: unknown, next: unknown): boolean {
    const e = int(expected, 'expected');
    const n = int(next, 'next');
    if (this.value !== e) return false;
    this.value = n;
    return true;
  }
}

/** The `AtomicLong` type. */
export const AtomicLongType = defineType(
  'AtomicLong',
  AtomicLongState,
  {
    get: { readonly: true, arity: [0, 0] },
    set: { arity: [1, 1] },
    getAndSet: { arity: [1, 1] },
    incrementAndGet: { arity: [0, 0] },
    decrementAndGet: { arity: [0, 0] },
    addAndGet: { arity: [1, 1] },
    getAndIncrement: { arity: [0, 0] },
    getAndAdd: { arity: [1, 1] },
    compareAndSet: { arity: [2, 2] },
  },
  { initArity: [0, 1], atomic: true },
);
