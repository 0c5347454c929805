import { registerHandle } from '../client/handle-registry.ts';
import type { SharedFutureState } from '../objects/shared-future.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey, WaitOptions } from './shared-object.ts';

/** A write-once result that any number of parties can wait for. */
export class SharedFuture<T = unknown> extends BuiltinObject<SharedFutureState> {
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
