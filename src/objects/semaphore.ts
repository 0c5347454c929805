import { blockUntil, callerSession, holdLease, SESSION_ENDED, type LeaseHolder } from './monitor.ts';
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

  acquire(n?: unknown): null {
    const want = amount(n);
    blockUntil(this.permits >= want);
    this.take(want);
    return null;
  }
  tryAcquire(n?: unknown): boolean {
    const want = amount(n);
    if (this.permits < want) return false;
    this.take(want);
    return true;
  }
  /** Adds permits back (like Java, even ones the caller did not acquire). */
  release(n?: unknown): null {
    const give = amount(n);
    const session = callerSession();
    const mine = this.held.get(session) ?? 0;
    if (mine <= give) this.held.delete(session);
    else this.held.set(session, mine - give);
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
  [1, 1],
);
