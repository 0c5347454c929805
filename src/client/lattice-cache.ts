import { ConnectionClosedError } from '../errors/connection-closed-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import type { Lattice, WriteStamp } from '../lattice/lattice.ts';
import { Stamp } from '../lattice/stamp.ts';
import { valueBytes } from '../lattice/value-bytes.ts';
import type { CallTarget, Client } from './client.ts';
import type { Connection } from './connection.ts';
import type { Session } from './session.ts';

/** `[version, state, deps, depsLost]`, as a lattice object's node answers a read (see `objects/lattice-object.ts`). */
type NodeRead = [version: number, state: unknown, deps: Array<[string, number]>, depsLost: boolean];

/** The default of {@link CacheOptions.cacheFlushMs}. */
export const DEFAULT_CACHE_FLUSH_MS = 10;
/** The default of {@link CacheOptions.cacheBytes}: 64 MiB. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
/** Dependencies a causal write sends at most: one more than a node keeps (`MAX_DEPS`), so it knows some were left out. */
const MAX_DEPS_SENT = 257;
/** How long a subscription waits at the node before it is renewed. */
const WATCH_MS = 30_000;

/** How a client's cache of lattice objects behaves. */
export interface CacheOptions {
  /**
   * Writes are sent to the objects' nodes at most this many ms after they are made (default 10;
   * `SKEIN_CACHE_FLUSH_MS`); always before a thread's result is reported and before
   * `client.close()` returns.
   */
  cacheFlushMs?: number;
  /**
   * The cache holds lattice states up to about this many bytes (default 64 MiB;
   * `SKEIN_CACHE_BYTES`), dropping the least recently used keys beyond it (never one with
   * writes not yet sent).
   */
  cacheBytes?: number;
}

/** A write made here that the node's state this cache holds does not include yet. */
interface Write {
  readonly delta: unknown;
  readonly session: Session | undefined;
  /** `pending` (not sent), `sent`, or the version the node gave it. */
  status: 'pending' | 'sent' | number;
}

/** What the cache holds of one key. */
interface Entry {
  readonly key: string;
  readonly lattice: Lattice<unknown, unknown>;
  readonly target: CallTarget;
  /** The node's state at {@link version}. */
  base: unknown;
  version: number;
  deps: Array<[string, number]>;
  depsLost: boolean;
  /** Writes made here, oldest first, that {@link base} does not hold. */
  writes: Write[];
  /** `base` with `writes` applied; recomputed when either changes. */
  view: unknown;
  /** The connection the subscription is armed on; the entry is fresh only while it stays open. */
  conn: Connection | undefined;
  /** A read from the node under way. */
  loading: Promise<void> | undefined;
  bytes: number;
  /** Whether this cache ever wrote the key (it retires its writer id there on close). */
  wrote: boolean;
}

/** What the cache tells about itself (`skein inspect`, the dashboard). */
export interface CacheStats {
  /** Keys held. */
  keys: number;
  /** Estimated bytes held, and the bound. */
  bytes: number;
  maxBytes: number;
  /** Reads answered from the cache, and reads that went to a node. */
  hits: number;
  misses: number;
  /** Writes made, and writes not yet acknowledged by their nodes. */
  writes: number;
  unflushed: number;
  /** Updates the nodes pushed. */
  pushes: number;
  /** Keys dropped to stay within the bound. */
  evictions: number;
}

/**
 * The lattice objects a client (one per process: the default client of a worker thread, a child
 * process, a function instance) holds beside its threads. Reads are answered here while the key's
 * subscription is armed (the node pushes every newer state, so a copy is at most one network delay
 * behind; a key whose subscription lapsed, its connection lost or its object moved is read from the
 * node again). Writes become deltas merged here at once and sent to the node in the background.
 * Linearizable objects never come here.
 *
 * Session levels are kept here (see `Consistency`): a read whose session has seen a newer version
 * than the copy goes to the node; repeatable-read reads come from the session's snapshot; causal
 * writes reach their nodes in the order they were made, each after the ones before it were
 * acknowledged, with the versions the session had seen as their dependencies.
 */
export class LatticeCache {
  private readonly entries = new Map<string, Entry>();
  private readonly flushMs: number;
  private readonly maxBytes: number;
  private readonly stamp: Stamp;
  private totalBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Causal writes in the order made: they reach their nodes in this order. */
  private causal: Array<[Entry, Write]> = [];
  /** Entries with writes of other levels not sent yet: a round looks at these, not at every key held. */
  private readonly dirty = new Set<Entry>();
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly counts = { hits: 0, misses: 0, writes: 0, pushes: 0, evictions: 0 };
  /** Failures of background flushes, reported to the next flush's caller. */
  private failure: unknown;
  /** Who waits for a key's copy to take a newer node state ({@link changed}). */
  private readonly waiters = new Map<string, Array<(version: number) => void>>();

  constructor(
    private readonly client: Client,
    opts: CacheOptions = {},
  ) {
    this.flushMs = positive(opts.cacheFlushMs ?? envNumber('SKEIN_CACHE_FLUSH_MS') ?? DEFAULT_CACHE_FLUSH_MS, 'cacheFlushMs');
    this.maxBytes = positive(opts.cacheBytes ?? envNumber('SKEIN_CACHE_BYTES') ?? DEFAULT_CACHE_BYTES, 'cacheBytes');
    this.stamp = new Stamp(client.sessionId);
  }

  /** Reads `target` as `session` may see it (none: eventual), mapped by `read`. */
  read<T>(target: CallTarget, lattice: Lattice<unknown, unknown>, session: Session | undefined, read: (state: unknown) => T): Promise<T> | T {
    if (session?.ended) throw new TypeError(`session ${session.id} has ended`);
    if (session?.consistency === 'repeatable-read') return this.readPinned(target, lattice, session, read);
    const entry = this.entries.get(target.key);
    if (entry && this.fresh(entry) && this.satisfies(entry, session)) {
      this.touch(entry);
      this.counts.hits++;
      return read(this.seen(entry, session));
    }
    this.counts.misses++;
    if (!session || session.consistency === 'eventual') return this.fetch(target, lattice, entry).then((e) => read(this.seen(e, session)));
    // A read the session needs fresh must start now: one already under way may predate what it saw.
    const epoch = session.lostEpoch;
    const prior = entry?.loading;
    const fetched = prior ? prior.catch(() => undefined).then(() => this.fetch(target, lattice, this.entries.get(target.key))) : this.fetch(target, lattice, entry);
    return fetched.then((e) => {
      session.refreshed.set(target.key, epoch);
      return read(this.seen(e, session));
    });
  }

  /**
   * Makes a write: `op` turns what this process sees of the key into a delta, merged here at once
   * and sent to the node within `cacheFlushMs`. Resolves once merged here (not at the node).
   */
  write(target: CallTarget, lattice: Lattice<unknown, unknown>, session: Session | undefined, op: (state: unknown, stamp: WriteStamp) => unknown): Promise<void> | void {
    if (session?.ended) throw new TypeError(`session ${session.id} has ended`);
    if (this.closed) throw new TypeError('the client was closed');
    const entry = this.entries.get(target.key);
    if (entry && !entry.loading) return this.writeTo(entry, session, op);
    return this.fetch(target, lattice, entry).then((e) => this.writeTo(e, session, op));
  }

  /**
   * Resolves once every write made before the call is acknowledged by its node; rejects with the
   * error of a write that failed (its delta was refused or its node could not be reached within
   * the client's retry window).
   */
  async flush(): Promise<void> {
    while ((this.hasUnsent() || this.flushing) && this.failure === undefined) {
      if (this.flushing) await this.flushing;
      else await this.flushNow();
    }
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Sends the remaining writes, then tells the nodes of the keys written that this writer is done. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      clearTimeout(this.timer);
      const retiring = [...this.entries.values()].filter((e) => e.wrote && e.lattice.perWriter === true);
      await Promise.allSettled(retiring.map((e) => this.client.call(e.target, 'retire', [this.stamp.writer])));
      this.entries.clear();
      this.dirty.clear();
      this.totalBytes = 0;
    }
  }

  /**
   * @internal Resolves with the version of the key's copy once it holds a node state newer than
   * `version` (a push, a read or an acknowledged write), at once if it already does.
   */
  changed(key: string, version: number): Promise<number> {
    const now = this.entries.get(key)?.version ?? -1;
    if (now > version) return Promise.resolve(now);
    return new Promise((resolve) => {
      const wake = (v: number): void => {
        if (v > version) resolve(v);
        else this.waitFor(key, wake);
      };
      this.waitFor(key, wake);
    });
  }

  /** @internal The version of the key's copy (-1 when not held). */
  versionOf(key: string): number {
    return this.entries.get(key)?.version ?? -1;
  }

  private waitFor(key: string, wake: (version: number) => void): void {
    const list = this.waiters.get(key);
    if (list) list.push(wake);
    else this.waiters.set(key, [wake]);
  }

  private wake(entry: Entry): void {
    const list = this.waiters.get(entry.key);
    if (!list) return;
    this.waiters.delete(entry.key);
    for (const w of list) w(entry.version);
  }

  /** What the cache holds and has done. */
  stats(): CacheStats {
    let unflushed = 0;
    for (const e of this.entries.values()) for (const w of e.writes) if (typeof w.status !== 'number') unflushed++;
    return { keys: this.entries.size, bytes: this.totalBytes, maxBytes: this.maxBytes, unflushed, ...this.counts };
  }

  // ---- reads ----

  /** A copy is served while its subscription is armed on the connection its key is routed to. */
  private fresh(entry: Entry): boolean {
    const conn = entry.conn;
    if (!conn || conn.closed || entry.loading) return false;
    try {
      return this.client.route(entry.key) === conn;
    } catch {
      return false;
    }
  }

  /** Whether the copy is recent enough for what the session has seen. */
  private satisfies(entry: Entry, session: Session | undefined): boolean {
    if (!session || session.consistency === 'eventual') return true;
    if (session.lostEpoch > (session.refreshed.get(entry.key) ?? 0)) return false;
    const floor = session.floors.get(entry.key);
    return floor === undefined || entry.version >= floor;
  }

  /**
   * The state `session` reads, and what it records of it: the version seen (its floor for the
   * key) and, for a causal session, the key's dependencies. A causal session does not see writes
   * of other sessions of this process until their nodes acknowledged them: only then is there a
   * version to depend on.
   */
  private seen(entry: Entry, session: Session | undefined): unknown {
    if (!session || session.consistency === 'eventual') return entry.view;
    const causal = session.consistency === 'causal';
    let view = entry.view;
    let version = entry.version;
    if (causal && entry.writes.some((w) => typeof w.status !== 'number' && w.session !== session)) {
      view = entry.base;
      for (const w of entry.writes) if (typeof w.status === 'number' || w.session === session) view = entry.lattice.apply(view, w.delta);
    }
    for (const w of entry.writes) {
      if (typeof w.status === 'number') {
        if (w.status > version) version = w.status;
      } else if (!causal || w.session === session) {
        // Seen before its node has it: its version becomes the session's floor once acknowledged.
        if (w.session !== session) session.observed.set(w, entry.key);
      }
    }
    session.raise(entry.key, version);
    if (session.observed.size > 1024) session.settleObserved();
    if (causal) {
      for (const [key, v] of entry.deps) session.raise(key, v);
      // A state with lost deps, new to this session: every key is read once more from its node.
      if (entry.depsLost && entry.version > (session.lostSeen.get(entry.key) ?? -1)) {
        session.lostSeen.set(entry.key, entry.version);
        session.lostEpoch++;
      }
    }
    return view;
  }

  private readPinned<T>(target: CallTarget, lattice: Lattice<unknown, unknown>, session: Session, read: (state: unknown) => T): Promise<T> | T {
    const key = target.key;
    if (session.snapshots.has(key)) {
      this.counts.hits++;
      return read(session.snapshots.get(key));
    }
    this.counts.misses++;
    const existing = session.pinned.has(key);
    return (this.client.call(target, 'pin', [session.id, existing]) as Promise<NodeRead>).then(([, state]) => {
      if (!session.snapshots.has(key)) {
        // The session's own writes not yet absorbed by the node's snapshot are this process's: add them.
        let s = lattice.checkState(state);
        for (const w of this.entries.get(key)?.writes ?? []) if (w.session === session) s = lattice.apply(s, w.delta);
        session.snapshots.set(key, s);
        // The session's next writes are stamped above what its snapshot holds, so they show in it.
        if (lattice.clock) this.stamp.tick(lattice.clock(s));
      }
      session.pin(key, target.type, this.client);
      return read(session.snapshots.get(key));
    });
  }

  /** Reads the key from its node (one read at a time per key), then keeps it subscribed. */
  private fetch(target: CallTarget, lattice: Lattice<unknown, unknown>, known: Entry | undefined): Promise<Entry> {
    const entry = known ?? this.add(target, lattice);
    entry.loading ??= (this.client.call(target, 'read', []) as Promise<NodeRead>)
      .then((r) => {
        this.install(entry, r, true);
        if (!entry.conn) void this.subscribe(entry);
      })
      .finally(() => (entry.loading = undefined));
    return entry.loading.then(() => entry);
  }

  /** Keeps the key's subscription armed while it is cached: a parked `watch` call that the node answers with each newer state. */
  private async subscribe(entry: Entry): Promise<void> {
    while (!this.closed && this.entries.get(entry.key) === entry) {
      let conn: Connection;
      try {
        conn = this.client.route(entry.key);
      } catch {
        break;
      }
      entry.conn = conn;
      try {
        this.install(entry, (await this.client.call(entry.target, 'watch', [entry.version], WATCH_MS)) as NodeRead, false);
        this.counts.pushes++;
      } catch (err) {
        if (err instanceof TimeoutError) continue;
        break;
      }
    }
    entry.conn = undefined;
  }

  /** Takes a node state in if it is newer (a read from the node is current even when lower: the object was made anew). */
  private install(entry: Entry, [version, state, deps, depsLost]: NodeRead, authoritative: boolean): void {
    if (version <= entry.version && !(authoritative && version < entry.version)) return;
    entry.base = entry.lattice.checkState(state);
    entry.version = version;
    entry.deps = deps;
    entry.depsLost = depsLost;
    entry.writes = entry.writes.filter((w) => typeof w.status !== 'number' || w.status > version);
    this.recompute(entry);
    this.wake(entry);
  }

  // ---- writes ----

  private writeTo(entry: Entry, session: Session | undefined, op: (state: unknown, stamp: WriteStamp) => unknown): void {
    const lattice = entry.lattice;
    const delta = op(entry.view, this.stamp);
    const write: Write = { delta, session, status: 'pending' };
    entry.writes.push(write);
    entry.wrote = true;
    entry.view = lattice.apply(entry.view, delta);
    this.grow(entry, valueBytes(delta));
    this.counts.writes++;
    if (session?.consistency === 'repeatable-read' && session.snapshots.has(entry.key)) {
      session.snapshots.set(entry.key, lattice.apply(session.snapshots.get(entry.key), delta));
    }
    if (session?.consistency === 'causal') this.causal.push([entry, write]);
    else this.dirty.add(entry);
    this.timer ??= setTimeout(() => void this.flushNow(), this.flushMs);
  }

  private hasUnsent(): boolean {
    return this.dirty.size > 0 || this.causal.length > 0;
  }

  /** One round: every non-causal write in parallel, one call per key and session; then the causal ones in order. */
  private flushNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.round().finally(() => {
      this.flushing = undefined;
      if (!this.hasUnsent() || this.closed || this.timer) return;
      this.timer = setTimeout(() => void this.flushNow(), this.flushMs);
      // After a failure (a node out of reach for the whole retry window) the writes are tried
      // again, but they do not keep the process alive: flush() and close() report them.
      if (this.failure !== undefined) this.timer.unref();
    });
    return this.flushing;
  }

  private async round(): Promise<void> {
    const sends: Promise<boolean>[] = [];
    const entries = [...this.dirty];
    this.dirty.clear();
    for (const entry of entries) {
      let run: Write[] = [];
      for (const w of entry.writes) {
        if (w.status !== 'pending') continue;
        // A key's writes reach its node in the order made (an OrSet's remove after its add): the
        // ones after a causal write wait until the causal queue has sent it.
        if (w.session?.consistency === 'causal') {
          this.dirty.add(entry);
          break;
        }
        if (run.length > 0 && run[0]!.session !== w.session) {
          sends.push(this.send(entry, run));
          run = [];
        }
        run.push(w);
      }
      if (run.length > 0) sends.push(this.send(entry, run));
    }
    await Promise.all(sends);
    // Causal writes: one key's consecutive writes at a time, each batch after the last is acknowledged.
    while (this.causal.length > 0) {
      const [entry] = this.causal[0]!;
      let n = 1;
      while (n < this.causal.length && this.causal[n]![0] === entry && this.causal[n]![1].session === this.causal[0]![1].session) n++;
      const batch = this.causal.splice(0, n);
      if (!(await this.send(entry, batch.map(([, w]) => w)))) {
        // Not sent: back at the head of the queue, the order kept, for the next round.
        this.causal.unshift(...batch);
        break;
      }
    }
  }

  /**
   * Sends consecutive writes of one key and one session as one delta (the lattice combines them).
   * Answers false when they are to be sent again (their node was out of reach); writes the node
   * refused are dropped and reported by the next `flush()`.
   */
  private async send(entry: Entry, run: Write[]): Promise<boolean> {
    for (const w of run) w.status = 'sent';
    const session = run[0]!.session;
    const delta = combineAll(entry.lattice, run.map((w) => w.delta));
    try {
      const version = (await this.client.call(entry.target, 'merge', [[delta], mergeContext(entry.key, session)])) as number;
      this.acknowledged(entry, run, delta, version, session);
      return true;
    } catch (err) {
      this.failure ??= err;
      if (err instanceof ConnectionClosedError && !this.client.closed) {
        // The node stayed out of reach for the client's whole retry window: try again next round.
        for (const w of run) w.status = 'pending';
        if (session?.consistency !== 'causal') this.dirty.add(entry);
        return false;
      }
      // Refused (the key holds another type, the delta is bad) or the client is closed: these
      // writes cannot be made; the next flush() reports it.
      entry.writes = entry.writes.filter((w) => !run.includes(w));
      this.recompute(entry);
      return true;
    }
  }

  /** The node absorbed `run`, combined into `delta`, as `version`. */
  private acknowledged(entry: Entry, run: Write[], delta: unknown, version: number, session: Session | undefined): void {
    for (const w of run) w.status = version;
    const lattice = entry.lattice;
    if (entry.version === version - 1) {
      // Nothing else reached the node in between: its state is ours with this delta absorbed.
      entry.base = lattice.compact(lattice.absorb(entry.base, delta, version), []);
      entry.version = version;
    }
    const now = entry.version;
    entry.writes = entry.writes.filter((w) => typeof w.status !== 'number' || w.status > now);
    this.recompute(entry);
    this.wake(entry);
    if (session && session.consistency !== 'eventual') session.raise(entry.key, version);
  }

  // ---- bookkeeping ----

  private add(target: CallTarget, lattice: Lattice<unknown, unknown>): Entry {
    const entry: Entry = {
      key: target.key,
      lattice,
      target,
      base: undefined,
      version: -1,
      deps: [],
      depsLost: false,
      writes: [],
      view: undefined,
      conn: undefined,
      loading: undefined,
      bytes: 0,
      wrote: false,
    };
    this.entries.set(target.key, entry);
    return entry;
  }

  private recompute(entry: Entry): void {
    let view = entry.base;
    for (const w of entry.writes) view = entry.lattice.apply(view, w.delta);
    entry.view = view;
    this.resize(entry);
  }

  private resize(entry: Entry): void {
    let bytes = entry.lattice.bytes(entry.base);
    for (const w of entry.writes) bytes += valueBytes(w.delta);
    this.grow(entry, bytes - entry.bytes);
  }

  /** Counts `bytes` more for `entry` (a write adds its delta without recounting the rest). */
  private grow(entry: Entry, bytes: number): void {
    entry.bytes += bytes;
    this.totalBytes += bytes;
    if (this.totalBytes > this.maxBytes) this.evict();
  }

  private touch(entry: Entry): void {
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
  }

  /** Drops the least recently used keys with nothing unsent until the cache is within its bound. */
  private evict(): void {
    for (const entry of this.entries.values()) {
      if (this.totalBytes <= this.maxBytes) return;
      if (entry.writes.length > 0 || entry.loading) continue;
      this.entries.delete(entry.key);
      this.totalBytes -= entry.bytes;
      entry.conn = undefined;
      this.counts.evictions++;
    }
  }
}

/** What a write tells the node beyond its delta: the session whose snapshot takes it, the dependencies of a causal write. */
function mergeContext(key: string, session: Session | undefined): [string | null, Array<[string, number]> | null] | null {
  if (!session) return null;
  if (session.consistency === 'repeatable-read') return [session.id, null];
  if (session.consistency !== 'causal') return null;
  const deps: Array<[string, number]> = [];
  for (const [k, v] of session.floors) if (k !== key) deps.push([k, v]);
  // One more than a node keeps: it then knows some were left out.
  return [null, deps.reverse().slice(0, MAX_DEPS_SENT)];
}

/** The deltas combined in order, pairwise (a balanced tree: a long run of set additions costs n log n, not n^2). */
function combineAll(lattice: Lattice<unknown, unknown>, deltas: unknown[]): unknown {
  while (deltas.length > 1) {
    const next: unknown[] = [];
    for (let i = 0; i < deltas.length; i += 2) next.push(i + 1 < deltas.length ? lattice.combine(deltas[i], deltas[i + 1]) : deltas[i]);
    deltas = next;
  }
  return deltas[0];
}

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new TypeError(`${name} must be a whole number, got '${raw}'`);
  return Number(raw);
}

function positive(n: number, name: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a number > 0, got ${String(n)}`);
  return n;
}
