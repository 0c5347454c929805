import { registerHandle } from '../client/handle-registry.ts';
import type { SemaphoreState } from '../objects/semaphore.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey, WaitOptions } from './shared-object.ts';

/**
 * A counting semaphore. Permits acquired are leased to this client's session: if the client dies
 * or disconnects they are released. Not fair: a waiter gets permits as soon as enough are free.
 */
export class Semaphore extends BuiltinObject<SemaphoreState> {
  /** @param permits the permits when the object is created. */
  constructor(key: ObjectKey, permits?: number) {
    super('Semaphore', key, [permits]);
  }
  /** Takes `n` permits, waiting until they are free; `TimeoutError` after `timeoutMs`. */
  acquire(n = 1, opts?: WaitOptions): Promise<void> {
    return this.invoke('acquire', [n], opts);
  }
  /** Takes `n` permits if free now; resolves to whether it did. */
  tryAcquire(n = 1): Promise<boolean> {
    return this.invoke('tryAcquire', [n]);
  }
  /** Gives `n` permits back. */
  release(n = 1): Promise<void> {
    return this.invoke('release', [n]);
  }
  /** Permits free now. */
  availablePermits(): Promise<number> {
    return this.invoke('availablePermits', []);
  }
}
registerHandle('Semaphore', Semaphore);
