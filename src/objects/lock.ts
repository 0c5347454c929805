import { callerSession, holdLease, park, SESSION_ENDED, type LeaseHolder, type Park } from './monitor.ts';
import { IllegalStateError } from './object-errors.ts';
import { defineType } from './object-type.ts';
import { int } from './validate.ts';

/**
 * Node-side state of a `Lock`: not reentrant, leased to the holding session, and every grant
 * carries a fencing token larger than all before it.
 */
export class LockState implements LeaseHolder {
  holder: string | null = null;
  token = 0;

  private grant(): number {
    this.holder = callerSession();
    holdLease();
    return ++this.token;
  }

  lock(): number | Park {
    return this.holder === null ? this.grant() : park();
  }
  tryLock(): number | null {
    return this.holder === null ? this.grant() : null;
  }
  /** Releases the lock; only the holding session may, and `token`, when given, must be current. */
  unlock(token?: unknown): null {
    if (this.holder === null) throw new IllegalStateError('the lock is not held');
    if (this.holder !== callerSession()) throw new IllegalStateError('the lock is held by another session');
    if (token !== undefined && int(token, 'token') !== this.token) {
      throw new IllegalStateError(`stale fencing token ${String(token)}; the current one is ${this.token}`);
    }
    this.holder = null;
    return null;
  }
  isLocked(): boolean {
    return this.holder !== null;
  }
  [SESSION_ENDED](session: string): void {
    if (this.holder === session) this.holder = null;
  }
}

/** The `Lock` type. */
export const LockType = defineType(
  'Lock',
  LockState,
  {
    lock: { arity: [0, 0] },
    tryLock: { arity: [0, 0] },
    unlock: { arity: [0, 1] },
    isLocked: { readonly: true, arity: [0, 0] },
  },
  { initArity: [0, 0], atomic: true },
);
