import type { Lattice } from '../lattice/lattice.ts';
import { DESCRIBE, park } from './monitor.ts';
import { SessionExpiredError } from './object-errors.ts';
import { defineType, type ObjectType } from './object-type.ts';
import { badArgs, int, str } from './validate.ts';

/**
 * What a read of a lattice object answers: `[version, state, deps, depsLost]`. `version` counts
 * the writes the node absorbed (it only grows); `deps` are the versions of other keys that the
 * writes it holds depend on (causal sessions), `depsLost` whether some were dropped to keep that
 * list bounded (a causal reader then reads the other keys from their nodes).
 */
export type LatticeRead = [version: number, state: unknown, deps: Array<[key: string, version: number]>, depsLost: boolean];

/**
 * How a cache's write arrives: `[sessionId, deps]`. `sessionId` names a repeatable-read session
 * whose pinned snapshot takes the write too (null otherwise); `deps` are the key versions a causal
 * session had observed when it wrote (null for other levels).
 */
export type MergeContext = [session: string | null, deps: Array<[key: string, version: number]> | null];

/** Snapshots kept per object for repeatable-read sessions; the oldest goes first beyond this. */
export const MAX_PINS = 1024;

/** Dependencies kept per object for causal sessions; beyond this they are dropped and `depsLost` set. */
export const MAX_DEPS = 256;

/**
 * The node-side state of every lattice type: the lattice state, the version that orders the
 * states a cache receives, the snapshots pinned for repeatable-read sessions and the causal
 * dependencies of the writes absorbed. One class per lattice type (made by
 * {@link defineLatticeType}); the methods are the cache's protocol, not the user's API: handles
 * read and write through their process's cache.
 */
export class LatticeObjectState {
  /** The lattice value. */
  state: unknown;
  /** Writes absorbed so far; a state with a higher version holds every write of a lower one. */
  version = 0;
  /** `[session, version, state]` per repeatable-read session that read this object, oldest first. */
  pins: Array<[string, number, unknown]> = [];
  /** `[key, version]`: what the writes held here depend on (causal sessions), highest version per key. */
  deps: Array<[string, number]> = [];
  /** Some dependencies were dropped to keep {@link deps} within {@link MAX_DEPS}. */
  depsLost = false;

  /** The type's lattice, on the prototype of each type's class (not a field: it is not state). */
  declare protected readonly lattice: Lattice<unknown, unknown>;

  constructor(...init: unknown[]) {
    this.state = this.lattice.initial(init);
  }

  /**
   * Absorbs a cache's deltas in order, each under the next version; answers the last version.
   * Every delta is checked before any is absorbed, so a bad one changes nothing.
   */
  merge(deltas: unknown, context: unknown = null): number {
    const lattice = this.lattice;
    if (!Array.isArray(deltas) || deltas.length === 0) throw badArgs('merge takes a non-empty array of deltas');
    const checked = deltas.map((d) => lattice.checkDelta(d));
    const [session, deps] = checkContext(context);
    const pin = session === null ? undefined : this.pins.find((p) => p[0] === session);
    let { state, version } = this;
    let pinned = pin?.[2];
    for (const d of checked) {
      version++;
      state = lattice.compact(lattice.absorb(state, d, version), []);
      if (pin) pinned = lattice.absorb(pinned, d, version);
    }
    this.state = state;
    this.version = version;
    if (pin) pin[2] = pinned;
    if (deps !== null) this.addDeps(deps);
    return version;
  }

  /** The current version and state. */
  read(): LatticeRead {
    return [this.version, this.state, this.deps, this.depsLost];
  }

  /**
   * Parks until the version passes `since`, then answers as {@link read}: a cache's subscription.
   * The call holds no thread; the node wakes it after the next write.
   */
  watch(since: unknown): LatticeRead | ReturnType<typeof park> {
    if (this.version <= int(since, 'since')) return park();
    return this.read();
  }

  /**
   * The snapshot of a repeatable-read session: the one pinned at its first read (with the
   * session's own writes since), pinned now if the session has none. `existing` says the session
   * pinned this object before: if its pin is gone (evicted past {@link MAX_PINS}) the read fails
   * with `SessionExpiredError` rather than answer another version.
   */
  pin(session: unknown, existing: unknown = false): LatticeRead {
    const id = str(session, 'session');
    const pin = this.pins.find((p) => p[0] === id);
    if (pin) return [pin[1], pin[2], this.deps, this.depsLost];
    if (existing === true) throw new SessionExpiredError(`the snapshot of session ${id} was dropped (more than ${MAX_PINS} sessions pinned this object); end sessions when done with them`);
    this.pins.push([id, this.version, this.state]);
    if (this.pins.length > MAX_PINS) this.pins.shift();
    return this.read();
  }

  /** Drops a session's snapshot; answers whether it had one. */
  unpin(session: unknown): boolean {
    const id = str(session, 'session');
    const i = this.pins.findIndex((p) => p[0] === id);
    if (i < 0) return false;
    this.pins.splice(i, 1);
    return true;
  }

  /**
   * Folds away the metadata of `writer`, a cache that will not write again (its process ends and
   * flushed everything first). Calls from the same client arrive in order, so no write of it can
   * follow.
   */
  retire(writer: unknown): null {
    this.state = this.lattice.compact(this.state, [str(writer, 'writer')]);
    return null;
  }

  /** What `skein inspect` shows: the value as the lattice describes it, and the metadata's size. */
  [DESCRIBE](): unknown {
    return {
      value: this.lattice.describe(this.state),
      version: this.version,
      snapshots: this.pins.length,
      deps: this.deps.length,
      ...(this.depsLost ? { depsLost: true } : {}),
    };
  }

  private addDeps(deps: Array<[string, number]>): void {
    // A new array: replies already answered hold the old one.
    const merged = new Map(this.deps);
    for (const [key, version] of deps) merged.set(key, Math.max(merged.get(key) ?? 0, version));
    let next = [...merged];
    if (next.length > MAX_DEPS) {
      next = next.sort((a, b) => b[1] - a[1]).slice(0, MAX_DEPS);
      this.depsLost = true;
    }
    this.deps = next;
  }
}

function checkContext(context: unknown): MergeContext {
  if (context === null || context === undefined) return [null, null];
  if (!Array.isArray(context) || context.length !== 2) throw badArgs('a merge context is [session, deps]');
  const [session, deps] = context as unknown[];
  if (session !== null && typeof session !== 'string') throw badArgs('a merge context names its session by a string or null');
  if (deps === null) return [session, null];
  if (!Array.isArray(deps)) throw badArgs('a merge context lists its deps as [key, version] pairs');
  for (const d of deps) {
    if (!Array.isArray(d) || d.length !== 2 || typeof d[0] !== 'string' || !Number.isSafeInteger(d[1]) || d[1] < 0) {
      throw badArgs('a merge context lists its deps as [key, version] pairs');
    }
  }
  return [session, deps as Array<[string, number]>];
}

/** The node's object type for a lattice: the same mechanism as every other type. */
export function defineLatticeType(lattice: Lattice<unknown, unknown>): ObjectType {
  const State = class extends LatticeObjectState {};
  Object.defineProperty(State, 'name', { value: `${lattice.name}State` });
  Object.defineProperty(State.prototype, 'lattice', { value: lattice });
  return defineType(
    lattice.name,
    State,
    {
      merge: { arity: [1, 2] },
      read: { readonly: true, arity: [0, 0] },
      watch: { readonly: true, arity: [1, 1] },
      pin: { arity: [1, 2] },
      unpin: { arity: [1, 1] },
      retire: { arity: [1, 1] },
    },
    { atomic: true, initArity: [0, 1], lattice: true },
  );
}
