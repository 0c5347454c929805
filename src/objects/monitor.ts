/**
 * The execution context of a shared-object method on its node, and the monitor primitives built
 * on it. A node sets the context around each attempt of a call; outside a method these throw.
 */

/** What the node knows about the call being run. Internal to the node and the object types. */
export interface CallContext {
  /** The session (client connection) that issued the call. */
  readonly session: string;
  /** Memory of this call that survives its re-runs; created on first use. */
  memo: object | undefined;
  /** Undo for a parked call that is withdrawn (timeout, disconnect): set by {@link onCancel}. */
  cancel: (() => void) | undefined;
  /** Set by {@link holdLease}: the session now holds something on this object. */
  leased: boolean;
  /** Set by {@link notifyAll}: this attempt changed the object even if it then parks. */
  notify: boolean;
}

/**
 * Thrown by {@link blockUntil}, or returned through {@link park}, to park the call; the node
 * treats both alike. Never reaches a client.
 */
export const PARK: unique symbol = Symbol('skein.park');

/** The type of {@link PARK}. */
export type Park = typeof PARK;

/**
 * Called by the node when a session that held a lease on the object ends (its client said goodbye,
 * or stayed away past the session timeout):
 * the object gives back what the session held (semaphore permits, a lock).
 */
export const SESSION_ENDED: unique symbol = Symbol('skein.sessionEnded');

/**
 * An object whose fields do not say what it holds (a lattice object's metadata) shows itself in
 * `skein inspect` through this method: it answers plain data.
 */
export const DESCRIBE: unique symbol = Symbol('skein.describe');

/** An object that holds per-session leases implements this. */
export interface LeaseHolder {
  [SESSION_ENDED](session: string): void;
}

let current: CallContext | undefined;

/** Runs `fn` with `ctx` as the current call context (node side). */
export function withContext<T>(ctx: CallContext, fn: () => T): T {
  return applyInContext(ctx, fn, undefined, []) as T;
}

/**
 * Calls `fn` as a method of `self` with `ctx` as the current call context (node side): the hot
 * path's {@link withContext}, with no closure to allocate per call.
 */
export function applyInContext(ctx: CallContext, fn: (...args: unknown[]) => unknown, self: unknown, args: unknown[]): unknown {
  const outer = current;
  current = ctx;
  try {
    return fn.apply(self, args);
  } finally {
    current = outer;
  }
}

function context(what: string): CallContext {
  if (!current) throw new Error(`${what} can only be called inside a shared object's method, on its node`);
  return current;
}

/**
 * The monitor `wait`: if `condition` is false the call parks and the method is re-run from the
 * start after the object next changes (Java's wait/notifyAll, with no thread held). Call it before
 * mutating the object: a re-run repeats everything above it. A parked call honours the caller's
 * `timeoutMs` and is withdrawn when its client disconnects.
 */
export function blockUntil(condition: boolean): void {
  context('blockUntil');
  if (!condition) throw PARK;
}

/**
 * {@link blockUntil}`(false)` for a method that can return where it waits:
 * `if (!ready) return park();` parks the call exactly as `blockUntil(ready)` does, without the
 * throw. A throw has to stop a method midway, and in Node each one costs about a microsecond (a
 * message object is recorded for every exception), so the built-in objects, whose waits are on
 * hot paths (a barrier round parks all but one party), park by returning this.
 */
export function park(): Park {
  context('park');
  return PARK;
}

/** The session that issued the current call (the client's, stable across its reconnects). */
export function callerSession(): string {
  return context('callerSession').session;
}

/**
 * Memory private to the current call that survives its re-runs after {@link blockUntil}: `init`
 * runs on the first attempt only. Lets a method record that this call already did its part (a
 * barrier arrival) before it waits.
 */
export function callState<T extends object>(init: () => T): T {
  const ctx = context('callState');
  ctx.memo ??= init();
  return ctx.memo as T;
}

/**
 * Registers how to undo this call's effects if it is withdrawn while parked (timeout, client
 * gone, node shutdown). The registration stays in force across re-runs, so an effect made once
 * under {@link callState} needs registering once; a later registration replaces it.
 */
export function onCancel(undo: () => void): void {
  context('onCancel').cancel = undo;
}

/**
 * Marks that the calling session now holds a lease on this object; when the session ends the
 * node calls the object's {@link SESSION_ENDED} method.
 */
export function holdLease(): void {
  context('holdLease').leased = true;
}

/**
 * Java's `notifyAll` for a method that changes the object and then waits with
 * {@link blockUntil} (keeping what it did under {@link callState}): the calls already parked on
 * the object are re-run once this call parks, as they are after any call that completes. Without
 * it, only completed calls count as changes.
 */
export function notifyAll(): void {
  context('notifyAll').notify = true;
}
