import { callerSession, holdLease, park, SESSION_ENDED, type LeaseHolder, type Park } from './monitor.ts';
import { defineType } from './object-type.ts';
import { intAtLeast } from './validate.ts';

function amount(n: unknown): number {
  return n === undefined ? 1 : intAtLeast(n, 1, 'permits');
}

/**
 * Node-side state of a `Semaphore`. Acquired permits are leased to the acquiring session and come
 * back when it ends. Not fair: a waiter is served when the permits it asks for are free.
 */
export class SemaphoreState implements LeaseHolder {
  permits: number;
  readonly held = new Map<string, number>();

  constructor(permits: unknown) {
    this.permits = intAtLeast(permits, 0, 'permits');
  }

  private take(n: number): void {
    const session = callerSession();
    this.permits -= n;
    this.held.set(session, (this.held.get(session) ?? 0) + n);
    holdLease();
  }

  acquire(n?: unknown): null | Park {
    const want = amount(n);
    if (this.permits < want) return park();
    this.take(want);
    return null;
  }
  tryAcquire(n?: unknown): boolean {
    const want = amount(n);
    if (this.permits < want) return false;
    this.take(want);
    return true;
  }
  /**
   * Gives permits back (like Java, a session may release permits it did not acquire). Released
   * permits end the caller's own leases first, then other sessions' leases, oldest first, so a
   * permit handed over and released elsewhere is not returned twice when its acquirer ends.
   */
  release(n?: unknown): null {
    const give = amount(n);
    let left = give;
    const session = callerSession();
    const order = this.held.has(session) ? [session, ...this.held.keys()] : [...this.held.keys()];
    for (const holder of order) {
      if (left === 0) break;
      const mine = this.held.get(holder);
      if (mine === undefined) continue;
      const taken = Math.min(mine, left);
      left -= taken;
      if (mine === taken) this.held.delete(holder);
      else this.held.set(holder, mine - taken);
    }
    this.permits += give;
    return null;
  }
  availablePermits(): number {
    return this.permits;
  }
  [SESSION_ENDED](session: string): void {
    const mine = this.held.get(session);
    if (mine === undefined) return;
    this.held.delete(session);
    this.permits += mine;
  }
}

/** The `Semaphore` type. */
export const SemaphoreType = defineType(
  'Semaphore',
  SemaphoreState,
  {
    acquire: { arity: [0, 1] },
    tryAcquire: { arity: [0, 1] },
    release: { arity: [0, 1] },
    availablePermits: { readonly: true, arity: [0, 0] },
  },
  { initArity: [1, 1], atomic: true },
);
