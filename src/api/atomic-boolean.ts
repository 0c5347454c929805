import { registerHandle } from '../client/handle-registry.ts';
import type { AtomicBooleanState } from '../objects/atomic-boolean.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey } from './shared-object.ts';

/** A shared boolean with atomic read-modify-write. */
export class AtomicBoolean extends BuiltinObject<AtomicBooleanState> {
  /** @param initial value when the object is created (default false); ignored if it exists. */
  constructor(key: ObjectKey, initial?: boolean) {
    super('AtomicBoolean', key, [initial]);
  }
  /** The current value. */
  get(): Promise<boolean> {
    return this.invoke('get', []);
  }
  /** Sets the value. */
  set(value: boolean): Promise<void> {
    return this.invoke('set', [value]);
  }
  /** Sets the value; resolves to the previous one. */
  getAndSet(value: boolean): Promise<boolean> {
    return this.invoke('getAndSet', [value]);
  }
  /** Sets `next` if the value is `expected`; resolves to whether it did. */
  compareAndSet(expected: boolean, next: boolean): Promise<boolean> {
    return this.invoke('compareAndSet', [expected, next]);
  }
}
registerHandle('AtomicBoolean', AtomicBoolean);
