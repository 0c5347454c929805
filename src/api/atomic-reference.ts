import { registerHandle } from '../client/handle-registry.ts';
import type { AtomicReferenceState } from '../objects/atomic-reference.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey } from './shared-object.ts';

/**
 * A shared cell holding any msgpack-serializable value (plain objects, arrays, typed arrays,
 * strings, numbers, handles...). `compareAndSet` compares structurally, not by identity: the value
 * on the node is a copy.
 */
export class AtomicReference<T = unknown> extends BuiltinObject<AtomicReferenceState> {
  /** @param initial value when the object is created (default null); ignored if it exists. */
  constructor(key: ObjectKey, initial?: T | null) {
    super('AtomicReference', key, [initial]);
  }
  /** The current value. */
  get(): Promise<T | null> {
    return this.invoke('get', []);
  }
  /** Sets the value. */
  set(value: T | null): Promise<void> {
    return this.invoke('set', [value]);
  }
  /** Sets the value; resolves to the previous one. */
  getAndSet(value: T | null): Promise<T | null> {
    return this.invoke('getAndSet', [value]);
  }
  /** Sets `next` if the value is structurally equal to `expected`; resolves to whether it did. */
  compareAndSet(expected: T | null, next: T | null): Promise<boolean> {
    return this.invoke('compareAndSet', [expected, next]);
  }
}
registerHandle('AtomicReference', AtomicReference);
