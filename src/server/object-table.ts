import { ConnectionClosedError } from '../errors/connection-closed-error.ts';
import { InvalidCallError } from '../errors/invalid-call-error.ts';
import { SkeinError } from '../errors/skein-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { applyInContext, PARK, SESSION_ENDED, withContext, type CallContext } from '../objects/monitor.ts';
import { checkArity, type ObjectType, type TypeRegistry } from '../objects/object-type.ts';
import { restoreSnapshot, takeSnapshot } from '../objects/snapshot.ts';
import { ParkTimeouts, type Timed, type TimeoutBatch } from './park-timeouts.ts';

/** Where the outcome of a call goes: exactly one of these is called, exactly once. */
export interface Outcome {
  ok(value: unknown): void;
  fail(err: unknown): void;
}

/** A live object on this node. */
interface Entry {
  readonly key: string;
  readonly type: ObjectType;
  readonly instance: any;
  /** Calls waiting in `blockUntil`, oldest first. */
  parked: Parked[];
}

/** A call that is waiting for its object to change. */
interface Parked extends Timed {
  readonly entry: Entry;
  readonly method: string;
  /** The method never changes the object: its completion wakes no one. */
  readonly readonly: boolean;
  readonly fn: (...args: unknown[]) => unknown;
  readonly args: unknown[];
  readonly ctx: CallContext;
  readonly outcome: Outcome;
  readonly session: SessionState;
  readonly timeoutMs: number | undefined;
  timeout: TimeoutBatch | undefined;
}

/** What the table keeps per client session: its parked calls and the objects it holds leases on. */
export class SessionState {
  readonly parked = new Set<Parked>();
  readonly leases = new Set<Entry>();
  constructor(readonly id: string) {}
}

/** A call as the table runs it. */
export interface Call {
  type: string;
  key: string;
  method: string;
  args: unknown[];
  /** Constructor args when the caller may create the object; `undefined` answers `ENO_OBJECT`. */
  init: unknown[] | undefined;
  forceNew: boolean;
  /** Bound on the wait of a parked call; `undefined` waits until the object changes. */
  timeoutMs: number | undefined;
}

/**
 * An attempt that threw (or returned a Promise): the one outcome of an attempt that allocates. An
 * attempt answers its value, {@link PARK}, or one of these.
 */
class Failure {
  constructor(readonly error: unknown) {}
}

/** Reports a completed attempt: its value, or the error of a {@link Failure}. */
function settle(result: unknown, outcome: Outcome): void {
  if (result instanceof Failure) outcome.fail(result.error);
  else outcome.ok(result);
}

/**
 * The objects of one node and the serial execution of their methods. Every call runs to
 * completion synchronously, so calls on one object never interleave. A call that parks (its
 * `blockUntil` condition is false) waits in its object's queue and is re-run, oldest first, after
 * each call that may have changed the object.
 */
export class ObjectTable {
  private readonly entries = new Map<string, Entry>();
  private readonly timeouts = new ParkTimeouts<Parked>((p) => this.expire(p));

  constructor(private readonly types: TypeRegistry) {}

  /** Number of live objects. */
  get size(): number {
    return this.entries.size;
  }

  /** Runs one call; the outcome is reported now, or later if the call parks. */
  call(session: SessionState, call: Call, outcome: Outcome): void {
    const type = this.types.get(call.type);
    if (!type) {
      outcome.fail(
        new InvalidCallError(
          'EUNKNOWN_TYPE',
          `object type '${call.type}' is not loaded on this node; start it with --objects <module> (or startNode({ objects })) naming the module that defines it`,
        ),
      );
      return;
    }
    const spec = type.methods.get(call.method);
    if (!spec) {
      outcome.fail(new InvalidCallError('EUNKNOWN_METHOD', `${type.name} has no method '${call.method}'`));
      return;
    }
    let entry = this.entries.get(call.key);
    if (entry && entry.type !== type) {
      outcome.fail(
        new InvalidCallError('ETYPE_MISMATCH', `key '${call.key}' holds a ${entry.type.name}, not a ${type.name}`),
      );
      return;
    }
    if (!entry || call.forceNew) {
      if (!call.init) {
        outcome.fail(new SkeinError('ENO_OBJECT', `no object at key '${call.key}'`));
        return;
      }
      try {
        checkArity(call.init, type.initArity, `new ${type.name}()`);
        const instance = new type.stateClass(...call.init);
        if (entry) this.remove(entry, 'it was replaced by forceNew');
        entry = { key: call.key, type, instance, parked: [] };
        this.entries.set(call.key, entry);
      } catch (err) {
        outcome.fail(err);
        return;
      }
    }
    try {
      checkArity(call.args, spec.arity, `${type.name}.${call.method}`);
    } catch (err) {
      outcome.fail(err);
      return;
    }
    const fn = entry.instance[call.method] as (...args: unknown[]) => unknown;
    const ctx: CallContext = { session: session.id, memo: undefined, cancel: undefined, leased: false, notify: false };
    const result = this.attempt(entry, call.method, fn, call.args, ctx, session);
    if (result === PARK) {
      this.park(entry, call, spec.readonly === true, fn, ctx, session, outcome);
      // Re-runs of parked calls never notify further: that could loop without end.
      if (ctx.notify) this.wake(entry);
      return;
    }
    settle(result, outcome);
    if (!(result instanceof Failure) && !spec.readonly) this.wake(entry);
  }

  /** Removes the object at `key`; its parked calls fail. Answers whether one existed. */
  destroy(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.remove(entry, 'it was destroyed');
    return true;
  }

  /** Keys that start with `prefix`, sorted. */
  keys(prefix: string): string[] {
    const out: string[] = [];
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) out.push(key);
    return out.sort();
  }

  /**
   * Ends a session: its parked calls are withdrawn (their undo runs, their outcome is not
   * reported: nobody is listening) and the objects it holds leases on take them back.
   */
  endSession(session: SessionState): void {
    const touched = new Set<Entry>();
    for (const p of session.parked) {
      this.withdraw(p);
      touched.add(p.entry);
    }
    for (const entry of session.leases) {
      if (!this.entries.has(entry.key) || this.entries.get(entry.key) !== entry) continue;
      const ctx: CallContext = { session: session.id, memo: undefined, cancel: undefined, leased: false, notify: false };
      withContext(ctx, () => (entry.instance as { [SESSION_ENDED](s: string): void })[SESSION_ENDED](session.id));
      touched.add(entry);
    }
    session.leases.clear();
    for (const entry of touched) this.wake(entry);
  }

  /** Fails every parked call (node shutdown): none of them was applied. */
  failAllParked(reason: string): void {
    for (const entry of this.entries.values()) {
      for (const p of [...entry.parked]) {
        this.withdraw(p);
        p.outcome.fail(new ConnectionClosedError(`${reason}; the call was not applied`));
      }
    }
  }

  /** Runs one attempt of a call: its value, {@link PARK} if it parked, or a {@link Failure}. */
  private attempt(
    entry: Entry,
    method: string,
    fn: (...args: unknown[]) => unknown,
    args: unknown[],
    ctx: CallContext,
    session: SessionState,
  ): unknown {
    // `ctx.cancel` is kept: an undo registered by an earlier attempt still has effects to undo.
    ctx.leased = false;
    ctx.notify = false;
    // A call that throws must leave the object as it was; atomic types guarantee that themselves.
    const before = entry.type.atomic ? undefined : takeSnapshot(entry.instance);
    let result: unknown;
    try {
      result = applyInContext(ctx, fn, entry.instance, args);
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        // Its outcome is nobody's: a rejection left unhandled would bring the whole node down.
        Promise.resolve(result).catch(() => undefined);
        result = new Failure(
          new TypeError(
            `${entry.type.name}.${method}() returned a Promise; shared object methods must be synchronous (no await, I/O, clock or randomness)`,
          ),
        );
      } else if (result === undefined) {
        result = null;
      }
    } catch (err) {
      result = err === PARK ? PARK : new Failure(err);
    }
    if (before && result instanceof Failure) restoreSnapshot(before);
    if (ctx.leased) session.leases.add(entry);
    return result;
  }

  private park(
    entry: Entry,
    call: Call,
    readonly: boolean,
    fn: (...args: unknown[]) => unknown,
    ctx: CallContext,
    session: SessionState,
    outcome: Outcome,
  ): void {
    const p: Parked = {
      entry,
      method: call.method,
      readonly,
      fn,
      args: call.args,
      ctx,
      outcome,
      session,
      timeoutMs: call.timeoutMs,
      timeout: undefined,
    };
    entry.parked.push(p);
    session.parked.add(p);
    if (call.timeoutMs !== undefined) this.timeouts.start(p, call.timeoutMs);
  }

  /** A parked call's timeout passed: it is withdrawn and fails with `ETIMEOUT`. */
  private expire(p: Parked): void {
    this.withdraw(p);
    p.outcome.fail(
      new TimeoutError(`${p.entry.type.name} '${p.entry.key}'.${p.method}() timed out after ${p.timeoutMs} ms`),
    );
    this.wake(p.entry);
  }

  /** Takes a parked call out of every queue and runs its undo. */
  private withdraw(p: Parked): void {
    this.timeouts.cancel(p);
    p.session.parked.delete(p);
    const i = p.entry.parked.indexOf(p);
    if (i >= 0) p.entry.parked.splice(i, 1);
    if (p.ctx.cancel) withContext(p.ctx, p.ctx.cancel);
  }

  /**
   * Re-runs the parked calls of an object, oldest first, until a pass completes none that may have
   * changed it. A pass keeps the calls that park again in their order, compacting the queue in
   * place: linear in the number of parked calls.
   */
  private wake(entry: Entry): void {
    let changed = true;
    while (changed && entry.parked.length > 0) {
      changed = false;
      const queue = entry.parked;
      let kept = 0;
      let i = 0;
      try {
        for (; i < queue.length; i++) {
          const p = queue[i]!;
          const result = this.attempt(entry, p.method, p.fn, p.args, p.ctx, p.session);
          if (result === PARK) {
            queue[kept++] = p;
            continue;
          }
          this.timeouts.cancel(p);
          p.session.parked.delete(p);
          settle(result, p.outcome);
          if (!(result instanceof Failure) && !p.readonly) changed = true;
        }
      } finally {
        // Had reporting an outcome thrown, the calls after it would still be parked: keep them.
        const rest = i < queue.length ? queue.length - i - 1 : 0;
        queue.copyWithin(kept, queue.length - rest);
        queue.length = kept + rest;
      }
    }
  }

  private remove(entry: Entry, why: string): void {
    this.entries.delete(entry.key);
    for (const p of [...entry.parked]) {
      this.timeouts.cancel(p);
      p.session.parked.delete(p);
      p.outcome.fail(new SkeinError('EDESTROYED', `${entry.type.name} '${entry.key}' is gone: ${why}`));
    }
    entry.parked = [];
  }
}
