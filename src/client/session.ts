import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Client } from './client.ts';
import { defaultClient } from './default-client.ts';

/**
 * How much a session sees of the writes to lattice objects, weakest first:
 * - `'eventual'`: whatever the process's cache holds (Cloudburst's default). Caches converge.
 * - `'read-your-writes'`: the session sees its own writes and never goes back in time: a key's
 *   read is never older than what the session wrote or read of it before, in any function of the
 *   session.
 * - `'repeatable-read'`: every read of a key in the session returns the version the session read
 *   first (with the session's own writes merged in), in every function of the session.
 * - `'causal'`: read-your-writes, and the session never observes a write without the writes it
 *   depends on (what its writer had written or read before it), across functions and processes.
 */
export type Consistency = 'eventual' | 'read-your-writes' | 'repeatable-read' | 'causal';

const LEVELS: readonly Consistency[] = ['eventual', 'read-your-writes', 'repeatable-read', 'causal'];

/** A session as it travels to a thread and back: `[id, consistency, floors, pinned, lostEpoch]`. */
export type SessionWire = [id: string, consistency: Consistency, floors: Array<[string, number]>, pinned: Array<[string, string]>, lostEpoch: number];

/** Options of {@link session}. */
export interface SessionOptions {
  /** The level its reads keep (default `'eventual'`). */
  consistency?: Consistency;
}

/**
 * A session over lattice objects: the reads and writes of the threads and functions that share it
 * keep its {@link Consistency} level. Make one with {@link session}; name it on handles
 * (`new LwwRegister({ key, session })`), run code inside it ({@link Session.run}: handles that name
 * none use it), pass it to threads (`task.spawn(arg, { session })`); inside a thread
 * `currentSession()` answers it. End it with {@link Session.end} when done: a repeatable-read
 * session holds a snapshot of each key it read on that key's node until then.
 *
 * What a session carries is small: the version it has seen of each key (read-your-writes and
 * causal), the keys it pinned (repeatable-read). A thread gets a copy at spawn and its changes
 * come back with its result.
 */
export class Session {
  /** Unique id (random). */
  readonly id: string;
  /** The level of its reads. */
  readonly consistency: Consistency;
  /** @internal Per key, the lowest version a read may return (read-your-writes, causal). */
  readonly floors = new Map<string, number>();
  /** @internal Keys with a snapshot pinned on their node, and their types (repeatable-read). */
  readonly pinned = new Map<string, string>();
  /** @internal Per key, this process's copy of the session's snapshot (repeatable-read). */
  readonly snapshots = new Map<string, unknown>();
  /**
   * @internal Counts the values the session read whose object no longer lists all their
   * dependencies (the list is bounded): after each, the session reads every key once from its
   * node, which always holds a write's dependencies, before its cache may answer for it again.
   */
  lostEpoch = 0;
  /** @internal Per key, the {@link lostEpoch} at which the session last read it from its node. */
  readonly refreshed = new Map<string, number>();
  /** @internal Per key, the version of the last state with lost dependencies the session read. */
  readonly lostSeen = new Map<string, number>();
  /**
   * @internal Writes of this process the session saw before their nodes acknowledged them, by key:
   * once acknowledged (a thread is spawned only after), their versions become floors, so the
   * session's functions elsewhere see them too.
   */
  readonly observed = new Map<{ readonly status: unknown }, string>();
  #ended = false;
  /** The clients this process pinned keys through (others: the default client). */
  readonly #clients = new Map<string, Client>();

  /** @internal Use {@link session}. */
  constructor(consistency: Consistency, id = randomBytes(12).toString('base64url')) {
    if (!LEVELS.includes(consistency)) {
      throw new TypeError(`consistency must be one of ${LEVELS.map((l) => `'${l}'`).join(', ')}; got ${JSON.stringify(consistency)}`);
    }
    this.id = id;
    this.consistency = consistency;
  }

  /** Whether {@link end} was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Runs `fn` inside this session: lattice handles that name no session use this one. */
  run<T>(fn: () => T): T {
    return current.run(this, fn);
  }

  /** @internal Raises the floor of `key` to `version`. */
  raise(key: string, version: number): void {
    const had = this.floors.get(key);
    if (had !== undefined && had >= version) return;
    // Re-inserted so that iteration order is recency: the newest floors are sent as dependencies first.
    this.floors.delete(key);
    this.floors.set(key, version);
  }

  /** @internal The session as it travels. */
  toWire(): SessionWire {
    this.settleObserved();
    return [this.id, this.consistency, [...this.floors], [...this.pinned], this.lostEpoch];
  }

  /** @internal Turns the observed writes that are acknowledged now into floors. */
  settleObserved(): void {
    for (const [write, key] of this.observed) {
      if (typeof write.status !== 'number') continue;
      this.raise(key, write.status);
      this.observed.delete(write);
    }
  }

  /** @internal The session a thread receives. */
  static fromWire(wire: unknown): Session {
    if (!Array.isArray(wire) || wire.length !== 5 || typeof wire[0] !== 'string' || !Array.isArray(wire[2]) || !Array.isArray(wire[3])) {
      throw new TypeError('not a Skein session');
    }
    const s = new Session(wire[1] as Consistency, wire[0]);
    s.absorb(wire as SessionWire);
    return s;
  }

  /** @internal Takes in what a thread of this session learned (its floors, its pins). */
  absorb(wire: SessionWire): void {
    // The thread may have written pinned keys: its writes are in the nodes' snapshots, not in
    // this process's copies, so they are read again.
    this.snapshots.clear();
    for (const [key, version] of wire[2]) this.raise(key, version);
    for (const [key, type] of wire[3]) this.pinned.set(key, type);
    // A thread's reads from its nodes are not known here: after a loss, keys are read again.
    if (typeof wire[4] === 'number' && wire[4] > this.lostEpoch) this.lostEpoch = wire[4];
  }

  /** @internal Records that `key` (of `type`) holds a snapshot of this session, reached through `client`. */
  pin(key: string, type: string, client: Client): void {
    this.pinned.set(key, type);
    this.#clients.set(key, client);
  }

  /**
   * Ends the session: the snapshots it pinned (repeatable-read) are dropped from their nodes, in
   * every process, and reads through it fail with a `TypeError` from now on. Writes already made
   * are kept. Resolves when every node has dropped them.
   */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const unpins = [...this.pinned].map(([key, type]) =>
      (this.#clients.get(key) ?? defaultClient()).call({ type, key, init: [], forceNew: false, initSent: true }, 'unpin', [this.id]),
    );
    this.pinned.clear();
    this.snapshots.clear();
    await Promise.all(unpins);
  }
}

const current = new AsyncLocalStorage<Session>();

/**
 * Makes a session (see {@link Session}). `consistency` defaults to `'eventual'`.
 *
 * ```ts
 * const s = session({ consistency: 'causal' });
 * await s.run(async () => { await a.set(1); await b.set(1); });
 * await writer.spawn(arg, { session: s }).join();
 * await s.end();
 * ```
 */
export function makeSession(opts: SessionOptions = {}): Session {
  return new Session(opts.consistency ?? 'eventual');
}

/** The session the calling code runs in ({@link Session.run}, or a thread spawned with one), if any. */
export function currentSession(): Session | undefined {
  return current.getStore();
}
