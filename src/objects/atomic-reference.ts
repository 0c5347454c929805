import { deepEqual } from './equal.ts';
import { defineType } from './object-type.ts';

/** Node-side state of an `AtomicReference`: any wire value. */
export class AtomicReferenceState {
  value: unknown;

  constructor(initial: unknown = null) {
    this.value = initial === undefined ? null : initial;
  }

  get(): unknown {
    return this.value;
  }
  set(v: unknown): null {
    this.value = v;
    return null;
  }
  getAndSet(v: unknown): unknown {
    const prev = this.value;
    this.value = v;
    return prev;
  }
  compareAndSet(expected: unknown, next: unknown): boolean {
    if (!deepEqual(this.value, expected)) return false;
    this.value = next;
    return true;
  }
}

/** The `AtomicReference` type. */
export const AtomicReferenceType = defineType(
  'AtomicReference',
  AtomicReferenceState,
  {
    get: { readonly: true, arity: [0, 0] },
    set: { arity: [1, 1] },
    getAndSet: { arity: [1, 1] },
    compareAndSet: { arity: [2, 2] },
  },
  { initArity: [0, 1], atomic: true },
);
