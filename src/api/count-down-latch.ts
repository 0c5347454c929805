import { registerHandle } from '../client/handle-registry.ts';
import type { CountDownLatchState } from '../objects/count-down-latch.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey, WaitOptions } from './shared-object.ts';

/** A one-shot gate that opens when its count reaches zero. */
export class CountDownLatch extends BuiltinObject<CountDownLatchState> {
  /** @param count the count when the object is created. */
  constructor(key: ObjectKey, count?: number) {
    super('CountDownLatch', key, [count]);
  }
  /** Decrements the count (not below zero). */
  countDown(): Promise<void> {
    return this.invoke('countDown', []);
  }
  /** Waits until the count is zero; `TimeoutError` after `timeoutMs`. */
  await(opts?: WaitOptions): Promise<void> {
    return this.invoke('await', [], opts);
  }
  /** The current count. */
  getCount(): Promise<number> {
    return this.invoke('getCount', []);
  }
}
registerHandle('CountDownLatch', CountDownLatch);
