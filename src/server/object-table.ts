import { ConnectionClosedError } from '../errors/connection-closed-error.ts';
import { InvalidCallError } from '../errors/invalid-call-error.ts';
import { SkeinError } from '../errors/skein-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { applyInContext, DESCRIBE, PARK, SESSION_ENDED, withContext, type CallContext } from '../objects/monitor.ts';
import { checkArity, type ObjectType, type TypeRegistry } from '../objects/object-type.ts';
import { rollBack, saveForRollback } from '../objects/rollback.ts';
import { inspectable } from './inspectable.ts';
import { ParkTimeouts, type Timed, type TimeoutBatch } from './park-timeouts.ts';

/**
 * Where the outcome of a call goes (a client's reply, a backup's kept reply): exactly one of its
 * methods is called, exactly once.
 */
export interface ResultSink {
  ok(value: unknown): void;
  fail(err: unknown): void;
}

/**
 * A live object as a call, a parked call or a lease names it. Made per call, never stored per
 * object: the table keeps only the instance (see {@link ObjectTable}).
 */
interface Entry {
  readonly key: string;
  readonly type: ObjectType;
  readonly instance: any;
}

/** A call that is waiting for its object to change. */
interface Parked extends Timed {
  /** The request id the session gave the call. */
  readonly id: number;
  readonly entry: Entry;
  readonly method: string;
  /** The method never changes the object: its completion wakes no one. */
  readonly readonly: boolean;
  readonly fn: (...args: unknown[]) => unknown;
  readonly args: unknown[];
  readonly ctx: CallContext;
  /** Replaced when the call is resent while parked (its reply goes to the resend). */
  outcome: ResultSink;
  readonly session: SessionState;
  readonly timeoutMs: number | undefined;
  timeout: TimeoutBatch | undefined;
}

/** What the table keeps per client session: its parked calls and the objects it holds leases on. */
export class SessionState {
  readonly parked = new Set<Parked>();
  /** The objects this session holds leases on, by key (only a live one is handed its lease back). */
  readonly leases = new Map<string, Entry>();
  constructor(readonly id: string) {}
}

/** A call as the table runs it. */
export interface Call {
  /** The request id the session gave it (unique within the session). */
  id: number;
  type: string;
  key: string;
  method: string;
  args: unknown[];
  /** Constructor args when the caller may create the object; `undefined` answers `ENO_OBJECT`. */
  init: readonly unknown[] | undefined;
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

/** The call `id` of `session` parked now, if any (a session has few parked calls at a time). */
function parkedCall(session: SessionState, id: number): Parked | undefined {
  for (const p of session.parked) if (p.id === id) return p;
  return undefined;
}

/** Reports a completed attempt: its value, or the error of a {@link Failure}. */
function settle(result: unknown, outcome: ResultSink): void {
  if (result instanceof Failure) outcome.fail(result.error);
  else outcome.ok(result);
}

/**
 * The objects of one node and the serial execution of their methods. Every call runs to
 * completion synchronously, so calls on one object never interleave. A call that parks (its
 * `blockUntil` condition is false) waits in its object's queue and is re-run, oldest first, after
 * each call that may have changed the object.
 *
 * Storage is lean because a node may hold millions of small objects: per object the table keeps
 * its key and its state instance in one map per type name (the map an instance is in gives its
 * type; a key is in at most one), and nothing else. Parked-call queues live in a side map, only
 * for objects that have parked calls. Every hot lookup is by string, which measured cheaper per
 * call than keying by the type and instance objects.
 */
export class ObjectTable {
  /** Live objects: per type name, key to state instance. */
  private readonly objects = new Map<string, Map<string, object>>();
  /**
   * Calls waiting in `blockUntil`, oldest first, by object key; only non-empty queues. A queue is
   * dropped with its object, so it always belongs to the live object at its key.
   */
  private readonly parked = new Map<string, Parked[]>();
  private readonly timeouts = new ParkTimeouts<Parked>((p) => this.expire(p));

  /**
   * @param onExpire asked before a parked call is withdrawn by its timeout, so the node can
   *   replicate the withdrawal (backups never time calls out themselves); answering false keeps
   *   the call parked with no timeout (a node that may not serve answers nothing).
   */
  constructor(
    private readonly types: TypeRegistry,
    private readonly onExpire: (key: string, session: SessionState, id: number) => boolean = () => true,
  ) {}

  /** Number of live objects. */
  get size(): number {
    let n = 0;
    for (const objects of this.objects.values()) n += objects.size;
    return n;
  }

  /** Runs one call; the outcome is reported now, or later if the call parks. */
  call(session: SessionState, call: Call, outcome: ResultSink): void {
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
    let instance = this.objects.get(type.name)?.get(call.key);
    if (instance === undefined) {
      const other = this.find(call.key);
      if (other) {
        outcome.fail(
          new InvalidCallError('ETYPE_MISMATCH', `key '${call.key}' holds a ${other.type.name}, not a ${type.name}`),
        );
        return;
      }
    }
    if (instance === undefined || call.forceNew) {
      if (!call.init) {
        outcome.fail(new SkeinError('ENO_OBJECT', `no object at key '${call.key}'`));
        return;
      }
      try {
        checkArity(call.init, type.initArity, `new ${type.name}()`);
        const created = new type.stateClass(...call.init);
        if (instance !== undefined) this.remove({ key: call.key, type, instance }, 'it was replaced by forceNew');
        instance = created;
        let objects = this.objects.get(type.name);
        if (!objects) this.objects.set(type.name, (objects = new Map()));
        objects.set(call.key, created);
      } catch (err) {
        outcome.fail(err);
        return;
      }
    }
    const entry: Entry = { key: call.key, type, instance };
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
    const entry = this.find(key);
    if (!entry) return false;
    this.remove(entry, 'it was destroyed');
    return true;
  }

  /**
   * Live objects in all and per type name, the lattice types among those names, the calls parked
   * now, and of those the cache subscriptions (calls parked on lattice objects: each is one
   * client's cache keeping a key fresh).
   */
  stats(): { objects: number; byType: Record<string, number>; latticeTypes: string[]; parkedCalls: number; cacheSubscriptions: number } {
    const byType: Record<string, number> = {};
    const latticeTypes: string[] = [];
    let objects = 0;
    for (const [name, map] of this.objects) {
      if (map.size === 0) continue;
      byType[name] = map.size;
      objects += map.size;
      if (this.types.get(name)?.lattice) latticeTypes.push(name);
    }
    let parkedCalls = 0;
    let cacheSubscriptions = 0;
    for (const queue of this.parked.values()) {
      parkedCalls += queue.length;
      if (queue[0]?.entry.type.lattice) cacheSubscriptions += queue.length;
    }
    return { objects, byType, latticeTypes: latticeTypes.sort(), parkedCalls, cacheSubscriptions };
  }

  /**
   * The object at `key` as plain data (see {@link inspectable}), whether its type is a lattice
   * type, and its parked calls; undefined if there is none.
   */
  describe(key: string): { type: string; lattice: boolean; state: unknown; parkedCalls: number } | undefined {
    const entry = this.find(key);
    if (!entry) return undefined;
    const instance = entry.instance as { [DESCRIBE]?: () => unknown };
    const shown = typeof instance[DESCRIBE] === 'function' ? instance[DESCRIBE]() : instance;
    return {
      type: entry.type.name,
      lattice: entry.type.lattice === true,
      state: inspectable(shown),
      parkedCalls: this.parked.get(key)?.length ?? 0,
    };
  }

  /** Keys that start with `prefix`, sorted. */
  keys(prefix: string): string[] {
    const out: string[] = [];
    for (const objects of this.objects.values()) {
      for (const key of objects.keys()) if (key.startsWith(prefix)) out.push(key);
    }
    return out.sort();
  }

  /**
   * Ends a session on the objects `mine` accepts (all by default): its parked calls there are
   * withdrawn (their undo runs, their outcome is not reported: nobody is listening) and those
   * objects take back the leases it held. Answers the keys of the objects it touched.
   */
  endSession(session: SessionState, mine: (key: string) => boolean = () => true): string[] {
    const touched = new Map<object, Entry>();
    for (const p of [...session.parked]) {
      if (!mine(p.entry.key)) continue;
      this.withdraw(p);
      touched.set(p.entry.instance, p.entry);
    }
    for (const [key, entry] of [...session.leases]) {
      if (!mine(key)) continue;
      session.leases.delete(key);
      if (this.objects.get(entry.type.name)?.get(entry.key) !== entry.instance) continue;
      const ctx: CallContext = { session: session.id, memo: undefined, cancel: undefined, leased: false, notify: false };
      withContext(ctx, () => (entry.instance as { [SESSION_ENDED](s: string): void })[SESSION_ENDED](session.id));
      touched.set(entry.instance, entry);
    }
    for (const entry of touched.values()) this.wake(entry);
    return [...touched.values()].map((e) => e.key);
  }

  /** Withdraws the parked call `id` of `session` (as a timeout would, without replying). Answers whether it was parked. */
  withdrawCall(session: SessionState, id: number): boolean {
    const p = parkedCall(session, id);
    if (!p) return false;
    this.withdraw(p);
    this.wake(p.entry);
    return true;
  }

  /**
   * Withdraws the calls parked on `key` (their undo runs), runs `between`, then makes each call
   * again, in its order and with its outcome, as if its client had resent it (a timeout restarts).
   * Answers them.
   */
  reissueParked(key: string, between: () => void): Array<{ session: SessionState; call: Call }> {
    const queue = this.parked.get(key);
    if (!queue) {
      between();
      return [];
    }
    const out: Array<{ session: SessionState; call: Call }> = [];
    const calls = [...queue];
    for (const p of calls) this.withdraw(p);
    try {
      between();
    } finally {
      this.reissue(key, calls, out);
    }
    return out;
  }

  /** Makes withdrawn parked calls again, in their order, with their outcomes; adds them to `out`. */
  private reissue(key: string, calls: Parked[], out: Array<{ session: SessionState; call: Call }>): void {
    for (const p of calls) {
      const call: Call = { id: p.id, type: p.entry.type.name, key, method: p.method, args: p.args, init: undefined, forceNew: false, timeoutMs: p.timeoutMs };
      out.push({ session: p.session, call });
      this.call(p.session, call, p.outcome);
    }
  }

  /**
   * If request `id` of `session` is parked here, its outcome goes to `outcome` from now on (the
   * call was resent: by a client that reconnected, or after a recovery replayed it). Answers
   * whether it was parked.
   */
  answerParkedTo(session: SessionState, id: number, outcome: ResultSink): boolean {
    const p = parkedCall(session, id);
    if (p) p.outcome = outcome;
    return p !== undefined;
  }

  /** Whether request `id` of `session` is parked here now. */
  isParked(session: SessionState, id: number): boolean {
    return parkedCall(session, id) !== undefined;
  }

  /**
   * Withdraws every call parked on the object at `key` (their undo runs) and answers their
   * outcomes, for the caller to fail: the object is about to move or be replaced.
   */
  withdrawAll(key: string): ResultSink[] {
    const queue = this.parked.get(key);
    if (!queue) return [];
    const out: ResultSink[] = [];
    for (const p of [...queue]) {
      this.withdraw(p);
      out.push(p.outcome);
    }
    return out;
  }

  /** The object at `key` with its type, or undefined. */
  get(key: string): { type: ObjectType; instance: object } | undefined {
    return this.find(key);
  }

  /**
   * Puts `instance` (of `type`) at `key`, replacing whatever was there; calls parked on the
   * replaced object fail with `EDESTROYED` (callers withdraw them first when they should move).
   */
  put(key: string, type: ObjectType, instance: object): void {
    const old = this.find(key);
    if (old) this.remove(old, 'it was replaced by a newer copy');
    let objects = this.objects.get(type.name);
    if (!objects) this.objects.set(type.name, (objects = new Map()));
    objects.set(key, instance);
  }

  /** Removes the object at `key` quietly (its parked calls were withdrawn first): it moved away. */
  forget(key: string): void {
    const entry = this.find(key);
    if (entry) this.remove(entry, 'it moved to another node');
  }

  /** Records that `session` holds a lease on the object at `key` (restoring a handed-over object). */
  lease(session: SessionState, key: string): void {
    const entry = this.find(key);
    if (entry) session.leases.set(key, entry);
  }

  /** Every live object's key, type and state instance. */
  *entries(): IterableIterator<[key: string, type: ObjectType, instance: object]> {
    for (const [name, objects] of this.objects) {
      const type = this.types.get(name)!;
      for (const [key, instance] of objects) yield [key, type, instance];
    }
  }

  /** The type named `name`, if this node serves it. */
  type(name: string): ObjectType | undefined {
    return this.types.get(name);
  }

  /** Fails every parked call (node shutdown): none of them was applied. */
  failAllParked(reason: string): void {
    for (const queue of [...this.parked.values()]) {
      for (const p of [...queue]) {
        this.withdraw(p);
        p.outcome.fail(new ConnectionClosedError(`${reason}; the call was not applied`));
      }
    }
  }

  /** The live object at `key`, whatever its type. */
  private find(key: string): Entry | undefined {
    for (const [name, objects] of this.objects) {
      const instance = objects.get(key);
      if (instance !== undefined) return { key, type: this.types.get(name)!, instance };
    }
    return undefined;
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
    const before = entry.type.atomic ? undefined : saveForRollback(entry.instance);
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
    if (before && result instanceof Failure) rollBack(before);
    if (ctx.leased) session.leases.set(entry.key, entry);
    return result;
  }

  private park(
    entry: Entry,
    call: Call,
    readonly: boolean,
    fn: (...args: unknown[]) => unknown,
    ctx: CallContext,
    session: SessionState,
    outcome: ResultSink,
  ): void {
    const p: Parked = {
      id: call.id,
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
    const queue = this.parked.get(entry.key);
    if (queue) queue.push(p);
    else this.parked.set(entry.key, [p]);
    session.parked.add(p);
    if (call.timeoutMs !== undefined) this.timeouts.start(p, call.timeoutMs);
  }

  /** A parked call's timeout passed: it is withdrawn and fails with `ETIMEOUT`. */
  private expire(p: Parked): void {
    if (!this.onExpire(p.entry.key, p.session, p.id)) return;
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
    this.unqueue(p);
    if (p.ctx.cancel) withContext(p.ctx, p.ctx.cancel);
  }

  /** Takes a parked call out of its object's queue, if still there; an empty queue is dropped. */
  private unqueue(p: Parked): void {
    const queue = this.parked.get(p.entry.key);
    const i = queue ? queue.indexOf(p) : -1;
    if (i < 0) return;
    queue!.splice(i, 1);
    if (queue!.length === 0) this.parked.delete(p.entry.key);
  }

  /**
   * Re-runs the parked calls of an object, oldest first, until a pass completes none that may have
   * changed it. A pass keeps the calls that park again in their order, compacting the queue in
   * place: linear in the number of parked calls.
   */
  private wake(entry: Entry): void {
    // Most nodes, most of the time, have no parked call at all: skip even the lookup.
    const queue = this.parked.size === 0 ? undefined : this.parked.get(entry.key);
    if (!queue) return;
    let changed = true;
    while (changed && queue.length > 0) {
      changed = false;
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
    if (queue.length === 0 && this.parked.get(entry.key) === queue) this.parked.delete(entry.key);
  }

  private remove(entry: Entry, why: string): void {
    this.objects.get(entry.type.name)!.delete(entry.key);
    const queue = this.parked.get(entry.key);
    if (!queue) return;
    this.parked.delete(entry.key);
    for (const p of queue) {
      this.timeouts.cancel(p);
      p.session.parked.delete(p);
      p.outcome.fail(new SkeinError('EDESTROYED', `${entry.type.name} '${entry.key}' is gone: ${why}`));
    }
  }
}
