import { defineType } from './object-type.ts';
import { bool } from './validate.ts';

/** Node-side state of an `AtomicBoolean`. */
export class AtomicBooleanState {
  value: boolean;

  constructor(initial: unknown = false) {
    this.value = bool(initial, 'initial');
  }

  get(): boolean {
    return this.value;
  }
  set(v: unknown): null {
    this.value = bool(v, 'value');
    return null;
  }
  getAndSet(v: unknown): boolean {
    const prev = this.value;
    this.value = bool(v, 'value');
    return prev;
  }
  compareAndSet(expected: unknown, next: unknown): boolean {
    const e = bool(expected, 'expected');
    const n = bool(next, 'next');
    if (this.value !== e) return false;
    this.value = n;
    return true;
  }
}

/** The `AtomicBoolean` type. */
export const AtomicBooleanType = defineType(
  'AtomicBoolean',
  AtomicBooleanState,
  {
    get: { readonly: true, arity: [0, 0] },
    set: { arity: [1, 1] },
    getAndSet: { arity: [1, 1] },
    compareAndSet: { arity: [2, 2] },
  },
  { initArity: [0, 1], atomic: true },
);
