import { registerHandle } from '../client/handle-registry.ts';
import type { LockState } from '../objects/lock.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey, WaitOptions } from './shared-object.ts';

/**
 * A mutual-exclusion lock held on the node. Not reentrant: a second `lock()` waits even from the
 * same client, so it also excludes concurrent async flows of one process. The lock is leased to
 * this client's session and released if the client dies. Every grant returns a fencing token
 * larger than all before it: pass it to the resources you guard so a stale holder is refused.
 */
export class Lock extends BuiltinObject<LockState> {
  constructor(key: ObjectKey) {
    super('Lock', key, []);
  }
  /** Waits for the lock; resolves to the fencing token. `TimeoutError` after `timeoutMs`. */
  lock(opts?: WaitOptions): Promise<number> {
    return this.invoke('lock', [], opts);
  }
  /** Takes the lock if free now; resolves to the fencing token, or null if it is held. */
  tryLock(): Promise<number | null> {
    return this.invoke('tryLock', []);
  }
  /**
   * Releases the lock. Fails (`IllegalStateError`) if this session does not hold it, or if
   * `token` is given and is not the current grant's.
   */
  unlock(token?: number): Promise<void> {
    return this.invoke('unlock', token === undefined ? [] : [token]);
  }
  /** Whether anyone holds the lock now. */
  isLocked(): Promise<boolean> {
    return this.invoke('isLocked', []);
  }
  /** Runs `fn` holding the lock and releases it afterwards, whether `fn` succeeds or throws. */
  async withLock<T>(fn: (token: number) => T | Promise<T>, opts?: WaitOptions): Promise<T> {
    const token = await this.lock(opts);
    try {
      return await fn(token);
    } finally {
      await this.unlock(token);
    }
  }
}
registerHandle('Lock', Lock);
