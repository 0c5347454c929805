import { registerHandle } from '../client/handle-registry.ts';
import { SharedObject, type ObjectKey, type WaitOptions } from './shared-object.ts';

/** A write-once result that any number of parties can wait for. */
export class SharedFuture<T = unknown> extends SharedObject {
  constructor(key: ObjectKey) {
    super('SharedFuture', key, []);
  }
  /** Completes with `value`; resolves to false (changing nothing) if it was already complete. */
  set(value: T): Promise<boolean> {
    return this.invoke('set', [value]);
  }
  /** Completes with a failure; resolves to false if it was already complete. */
  fail(message: string): Promise<boolean> {
    return this.invoke('fail', [message]);
  }
  /**
   * Waits for completion and resolves to the value; rejects with a `RemoteError` named
   * `FutureFailedError` if it failed, `TimeoutError` after `timeoutMs`.
   */
  get(opts?: WaitOptions): Promise<T> {
    return this.invoke('get', [], opts);
  }
  /** Whether it is complete. */
  isDone(): Promise<boolean> {
    return this.invoke('isDone', []);
  }
}
registerHandle('SharedFuture', SharedFuture);
