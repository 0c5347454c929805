import { registerHandle } from '../client/handle-registry.ts';
import type { AtomicLongState } from '../objects/atomic-long.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey } from './shared-object.ts';

/**
 * A shared 64-bit-style counter, held as a JavaScript safe integer (|v| < 2^53; an update that
 * would leave that range fails with a `RemoteError` named `RangeError` and changes nothing).
 * Every method is one linearizable call on the object's node.
 *
 * ```ts
 * const hits = new AtomicLong('hits');      // created at 0 on first use
 * await hits.addAndGet(42);
 * ```
 */
export class AtomicLong extends BuiltinObject<AtomicLongState> {
  /** @param initial value when the object is created (default 0); ignored if it exists. */
  constructor(key: ObjectKey, initial?: number) {
    super('AtomicLong', key, [initial]);
  }
  /** The current value. */
  get(): Promise<number> {
    return this.invoke('get', []);
  }
  /** Sets the value. */
  set(value: number): Promise<void> {
    return this.invoke('set', [value]);
  }
  /** Sets the value; resolves to the previous one. */
  getAndSet(value: number): Promise<number> {
    return this.invoke('getAndSet', [value]);
  }
  /** Adds 1; resolves to the new value. */
  incrementAndGet(): Promise<number> {
    return this.invoke('incrementAndGet', []);
  }
  /** Subtracts 1; resolves to the new value. */
  decrementAndGet(): Promise<number> {
    return this.invoke('decrementAndGet', []);
  }
  /** Adds `delta`; resolves to the new value. */
  addAndGet(delta: number): Promise<number> {
    return this.invoke('addAndGet', [delta]);
  }
  /** Adds 1; resolves to the previous value. */
  getAndIncrement(): Promise<number> {
    return this.invoke('getAndIncrement', []);
  }
  /** Adds `delta`; resolves to the previous value. */
  getAndAdd(delta: number): Promise<number> {
    return this.invoke('getAndAdd', [delta]);
  }
  /** Sets `next` if the value is `expected`; resolves to whether it did. */
  compareAndSet(expected: number, next: number): Promise<boolean> {
    return this.invoke('compareAndSet', [expected, next]);
  }
}
registerHandle('AtomicLong', AtomicLong);
