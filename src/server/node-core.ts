import type { NodeGauges } from './metrics.ts';
import type { Logger } from 'pino';
import type { ClusterStatus, MemberId, View } from '../cluster/view.ts';
import { decode, encode } from '../protocol/codec.ts';
import { FAILED, MOVED, OK, PROTOCOL_VERSION, type NodeInfo, type ObjectDescription, type Topology } from '../protocol/messages.ts';
import { toWireError } from '../protocol/wire-error.ts';
import { ObjectLostError } from '../errors/object-lost-error.ts';
import type { Call, ObjectTable, ResultSink, SessionState } from './object-table.ts';
import { CallStats } from './call-stats.ts';
import { Handover, type Waiting } from './handover.ts';
import { RecordKind, type ReplyItem } from './records.ts';
import { Replicator, type BackupLink, type RecordLog } from './replicator.ts';
import { encodeReply, type Session, type ReplySink } from './session.ts';
import { SessionTable } from './session-table.ts';

/** Settings of a {@link NodeCore}. */
export interface CoreOptions {
  table: ObjectTable;
  /** This node's URL: its id among the members. */
  self: string;
  /** Copies of each object, owner included. */
  rf: number;
  /** A session without a connection is ended (leases returned) after this many ms. */
  sessionTtlMs: number;
  log: Logger;
}

/**
 * Where the outcome of a client's call goes: kept for retries and sent to the session's
 * connection once the replicator lets it. A class, not closures: see the hot-path notes in
 * docs/architecture.md.
 */
class ReplyTo implements ResultSink {
  /** For the call's latency, when it is sampled (see {@link CallStats.arrived}); else 0. */
  private readonly started: number;
  constructor(
    private readonly core: NodeCore,
    private readonly session: Session,
    private readonly call: Call,
    private readonly origin: ReplySink,
  ) {
    this.started = core.stats.arrived(call.key);
  }
  ok(value: unknown): void {
    this.core.stats.answered(this.call.type, this.call.method, this.started, false);
    this.core.reply(this.session, this.call.id, this.call.key, OK, value, this.origin);
  }
  fail(err: unknown): void {
    this.core.stats.answered(this.call.type, this.call.method, this.started, true);
    this.core.reply(this.session, this.call.id, this.call.key, FAILED, toWireError(err), this.origin);
  }
  /** The call was withdrawn because its object moves: the client sends it again to the new owner. */
  moved(topology: Topology): void {
    this.session.deliver(encodeReply(this.call.id, MOVED, topology), this.origin);
  }
}

/**
 * The outcome of a call a backup (or recovery) applies: the reply is kept for a retry that may
 * come here after a failover, and sent to no one (the owner answers).
 */
class KeepReply implements ResultSink {
  constructor(
    private readonly session: Session,
    private readonly id: number,
    private readonly key: string,
  ) {}
  ok(value: unknown): void {
    this.session.keepResult(this.id, this.key, value);
  }
  fail(err: unknown): void {
    this.session.keep(this.id, this.key, encodeReply(this.id, FAILED, toWireError(err)), true, false);
  }
}

/** A client's call that waits for a handover, run again when the view settles. */
class WaitingCall implements Waiting {
  constructor(
    private readonly core: NodeCore,
    private readonly session: Session,
    private readonly call: Call,
    private readonly origin: ReplySink,
  ) {}
  run(): void {
    this.core.call(this.session, this.call, this.origin);
  }
}

/**
 * What a node does with calls, whoever sends them: routing (a call for an object this node does
 * not own, or any call while it may not serve, is answered `MOVED` with the topology),
 * exactly-once (a retried request is answered from the session's kept replies, or waits for the
 * parked call it repeats), replication and journaling (every change goes out as a record before
 * it is applied, and its reply waits until the records are durable and at the backups), and
 * applying records from owners and the journal. Which objects it owns and how they move between
 * members is the {@link Handover}'s; its clients' sessions are in the {@link SessionTable}.
 */
export class NodeCore {
  private readonly sessions = new SessionTable();
  /** What this node counts of the calls it answers (metrics, hot keys). */
  readonly stats: CallStats;
  private readonly replicator = new Replicator();
  private readonly handover: Handover;
  /** Links to the other members, by URL (set by the cluster layer through {@link setLinks}). */
  private links = new Map<string, BackupLink>();
  /** Keys whose object could not be moved here, with why (see {@link RecordKind.Lost}). */
  private readonly lost = new Map<string, string>();
  private readonly table: ObjectTable;
  private readonly sweep: NodeJS.Timeout;
  /** Set once this node is a member of an etcd-kept cluster: it serves only within its lease. */
  private fenced = false;
  /** Set when a journal is in use. */
  private journaled = false;
  /** When this node started (ms since the epoch), for its uptime. */
  private readonly started = Date.now();

  constructor(private readonly opts: CoreOptions) {
    this.table = opts.table;
    this.stats = new CallStats((type, method) => opts.table.type(type)?.methods.has(method) === true);
    const core = this;
    this.handover = new Handover({
      self: opts.self,
      rf: opts.rf,
      log: opts.log,
      table: opts.table,
      sessions: this.sessions,
      replicator: this.replicator,
      get journaled() {
        return core.journaled;
      },
      link: (url) => this.links.get(url),
      isClientSink: (o): o is ReplyTo => o instanceof ReplyTo,
    });
    this.sweep = setInterval(() => this.expireSessions(), Math.max(25, Math.floor(opts.sessionTtlMs / 4)));
    this.sweep.unref();
  }

  /** This node's URL. */
  get self(): string {
    return this.opts.self;
  }

  /** The cluster as this node knows it. */
  get topology(): Topology {
    return this.handover.topology;
  }

  /** Whether this node is alone (no routing, no backups). */
  get alone(): boolean {
    return this.handover.alone;
  }

  /** Whether the object at `key` is this node's to serve. */
  owns(key: string): boolean {
    return this.handover.owns(key);
  }

  /**
   * Makes this node a member of an etcd-kept cluster: from now on it serves only while it is in
   * its installed view and `validUntil()` (its lease, as a `performance.now()` time) has not passed.
   */
  joinCluster(validUntil: () => number): void {
    this.fenced = true;
    this.handover.joinCluster(validUntil);
  }

  /** The links to the other members of the installed view (the cluster layer keeps them). */
  setLinks(links: Map<string, BackupLink>): void {
    this.links = links;
  }

  /**
   * Installs a view (and its status) from etcd; `me` is this node's run: objects move as the
   * {@link Handover} says. Answers the epoch whose handover this node must report once
   * {@link settled}, or undefined.
   */
  installView(view: View, status: ClusterStatus, me: MemberId): number | undefined {
    return this.handover.install(view, status, me);
  }

  /**
   * Resolves once every record emitted so far (not those emitted later) is durable and
   * acknowledged by the backups it went to, or they left: what a handover report waits for.
   */
  settled(): Promise<void> {
    return this.replicator.settled();
  }

  /** A link to a backup acknowledged records, or closed: replies waiting only on it may go. */
  backupProgress(): void {
    this.replicator.progress();
  }

  /**
   * This node's lease is gone: the replies still held for backups are dropped, never sent (their
   * clients resend the calls to the new owners), and it serves nothing until a view names it
   * again. Call it before closing the links, which would otherwise release those replies.
   */
  expel(): void {
    this.replicator.abandon();
    this.handover.expel();
  }

  /**
   * Leaving the cluster: every call is answered `MOVED` from now on, and every object this node
   * owns goes to its owners without it. Resolves once they all have it.
   */
  handOffAll(): Promise<void> {
    return this.handover.handOffAll();
  }

  /** Whether this node may change objects now (a single node always may). */
  private get serving(): boolean {
    return !this.fenced || this.handover.serving();
  }

  // ---------------------------------------------------------------- sessions

  /** The session a client names (resumed if this node has it), or a new one ending with its connection. */
  attach(id: string | undefined, sink: ReplySink, fresh: () => string): Session {
    return this.sessions.attach(id, sink, fresh);
  }

  /**
   * The session's connection closed. Its parked calls on objects this node owns are withdrawn
   * (the client resends them if it comes back); a session the client did not name, or one that
   * said goodbye, ends now, any other after the session timeout.
   */
  detach(session: Session, sink: ReplySink, ending: boolean): void {
    const next = this.sessions.detach(session, sink, ending);
    if (next === 'end') this.endSession(session);
    else if (next === 'withdraw') this.withdrawSession(session);
  }

  private withdrawSession(session: Session): void {
    if (!this.serving) return;
    for (const p of [...session.parked]) {
      const key = p.entry.key;
      if (!this.owns(key)) continue;
      this.emit([RecordKind.Withdraw, key, session.id, p.id], key);
      this.table.withdrawCall(session, p.id);
    }
  }

  private endSession(session: Session): void {
    // A node that may not serve changes nothing: the session ends where its objects are served.
    if (!this.serving) return;
    const keys = new Set<string>();
    for (const p of session.parked) keys.add(p.entry.key);
    for (const key of session.leases.keys()) keys.add(key);
    for (const key of keys) {
      if (!this.owns(key)) continue;
      this.emit([RecordKind.EndSession, key, session.id], key);
      this.table.endSession(session, (k) => k === key);
    }
    this.sessions.forgetIfIdle(session);
  }

  /** Ends sessions detached for longer than the session timeout; forgets idle ones. */
  private expireSessions(): void {
    for (const session of this.sessions.detachedSince(Date.now() - this.opts.sessionTtlMs)) this.endSession(session);
  }

  /** Another member forwarded an acknowledgement of session `id`'s client: forget those replies. */
  forwardedAcks(id: string, ids: readonly unknown[]): void {
    this.sessions.acknowledge(id, ids);
  }

  /**
   * The session's client has these replies: forget them here, and (with backups) on the other
   * members too, which keep copies for a resend after a failover and hear of acks only this way.
   */
  acknowledged(session: Session, ids: readonly number[]): void {
    session.acknowledge(ids);
    if (this.alone || this.opts.rf < 2) return;
    for (const link of this.links.values()) link.forwardAcks(session.id, ids);
  }

  // ---------------------------------------------------------------- calls

  /** Runs a client's call (that came on `origin`) here, or answers where it belongs. */
  call(session: Session, call: Call, origin: ReplySink): void {
    if (this.fenced) {
      if (!this.serving || !this.owns(call.key)) return this.moved(session, call.id, origin);
      const present = this.table.get(call.key) !== undefined;
      switch (this.handover.check(call.key, present || call.forceNew)) {
        case 'wait':
          return this.handover.hold(new WaitingCall(this, session, call, origin));
        case 'lost': {
          const why = `every copy of the object at '${call.key}' was lost (the members holding it failed together); it comes back when one of them restarts with its data directory, or after 'skein admin forget-lost'; forceNew makes it anew`;
          return this.reply(session, call.id, call.key, FAILED, toWireError(new ObjectLostError(why)), origin);
        }
      }
    }
    if (this.lost.size > 0 && this.lost.has(call.key) && !call.forceNew) {
      const why = `the object at '${call.key}' was lost moving between members: ${this.lost.get(call.key)}; destroy it, or make it anew with forceNew`;
      return this.reply(session, call.id, call.key, FAILED, toWireError(new ObjectLostError(why)), origin);
    }
    // A session's ids only grow, so only an id this node has seen before can be a resend.
    if (call.id > session.highestId) session.highestId = call.id;
    else if (session.resumable) {
      const kept = session.replies.get(call.id);
      if (kept) {
        if (kept.released) session.deliver(kept.message, origin);
        return;
      }
      // Parked already (the client lost its connection, or a recovery replayed it): the resend
      // takes over its reply.
      if (session.parked.size > 0 && this.table.answerParkedTo(session, call.id, new ReplyTo(this, session, call, origin))) return;
    }
    if (this.replicating) {
      const spec = this.table.type(call.type)?.methods.get(call.method);
      // A read that carries init args creates its object when it is missing (or replaces it with
      // forceNew): that is a change the backups and the journal must see like any other.
      if (spec && (!spec.readonly || (call.init != null && (call.forceNew || this.table.get(call.key) === undefined)))) {
        this.emit([RecordKind.Call, call.key, session.id, call.id, call.type, call.method, call.args, call.init ?? null, call.forceNew], call.key);
      }
    }
    if (call.forceNew && this.lost.size > 0) this.lost.delete(call.key);
    this.table.call(session, call, new ReplyTo(this, session, call, origin));
  }

  /** Destroys the object at `key` for request `id` (that came on `origin`). */
  destroy(session: Session, id: number, key: string, origin: ReplySink): void {
    if (this.fenced) {
      if (!this.serving || !this.owns(key)) return this.moved(session, id, origin);
      const present = this.table.get(key) !== undefined;
      const verdict = this.handover.check(key, present);
      if (verdict === 'wait') return this.handover.hold({ run: () => this.destroy(session, id, key, origin) });
      if (verdict === 'lost') {
        const why = `every copy of the object at '${key}' was lost; 'skein admin forget-lost' accepts the loss`;
        return this.reply(session, id, key, FAILED, toWireError(new ObjectLostError(why)), origin);
      }
    }
    const kept = id > session.highestId ? undefined : session.replies.get(id);
    if (id > session.highestId) session.highestId = id;
    if (kept) {
      if (kept.released) session.deliver(kept.message, origin);
      return;
    }
    this.emit([RecordKind.Destroy, key, session.id, id], key);
    const wasLost = this.lost.delete(key);
    this.reply(session, id, key, OK, this.table.destroy(key) || wasLost, origin);
  }

  /** @internal The reply to request `id` of `session`: kept, and sent when the replicator allows. */
  reply(session: Session, id: number, key: string, status: number, value: unknown, origin: ReplySink | undefined): void {
    this.replicator.reply(session, id, key, encodeReply(id, status, value), origin);
  }

  private moved(session: Session, id: number, origin: ReplySink): void {
    session.deliver(encodeReply(id, MOVED, this.topology), origin);
  }

  /** Whether changes go anywhere besides this node's memory. */
  private get replicating(): boolean {
    return this.journaled || !this.alone;
  }

  /** Sends every change to `journal` too; `afterCommit` runs after each commit (for snapshots). */
  useJournal(journal: RecordLog, afterCommit: () => void): void {
    this.journaled = true;
    this.replicator.useJournal(journal, afterCommit);
  }

  /**
   * @internal A parked call on `key` timed out here: its withdrawal goes to the backups. A node
   * that may not serve lets nothing time out (answers false): the call's client resends it to
   * the new owner, where it is still parked.
   */
  expired(key: string, session: SessionState, id: number): boolean {
    if (!this.serving) return false;
    if (this.owns(key)) this.emit([RecordKind.Withdraw, key, session.id, id], key);
    return true;
  }

  /** Emits a record about `key` to the journal and to the key's backups. */
  private emit(record: unknown[], key: string): void {
    if (!this.replicating) return;
    this.replicator.emit(record, this.handover.backups(key));
  }

  // ---------------------------------------------------------------- requests that change nothing

  /**
   * Keys of the objects whose key starts with `prefix` that this node answers for, sorted: all it
   * holds when alone; in a cluster those it owns, and during a handover those it is the source of.
   */
  keys(prefix: string): string[] {
    const keys = this.table.keys(prefix);
    return this.alone ? keys : keys.filter((k) => this.handover.lists(k));
  }

  /** The object at `key` as `skein inspect` shows it, or null if this node holds none. */
  describe(key: string): ObjectDescription | null {
    const found = this.table.describe(key);
    return found ? { key, ...found } : null;
  }

  /** What this node tells about itself and the cluster it knows (`Op.Info`). */
  info(): NodeInfo {
    const sessions = this.sessions.stats();
    const topology = this.topology;
    return {
      url: this.opts.self,
      protocol: PROTOCOL_VERSION,
      uptimeMs: Date.now() - this.started,
      sessions: sessions.connected,
      keptReplies: sessions.keptReplies,
      ...this.table.stats(),
      owned: this.alone ? this.table.size : this.table.keys('').filter((k) => this.owns(k)).length,
      epoch: topology.epoch,
      rf: this.opts.rf,
      members: topology.members.map((m) => ({ url: m, self: m === this.opts.self })),
      stable: this.handover.isStable,
      lostRegions: this.handover.lostRegions,
      calls: this.stats.total,
      hotKeys: this.stats.hotKeys(),
    };
  }

  /** What the metrics read of the node's state at a scrape (cheap: no walk over the objects). */
  gauges(): Omit<NodeGauges, 'journalLag' | 'replicationLag'> {
    const { connected, keptReplies } = this.sessions.stats();
    const { byType, parkedCalls, cacheSubscriptions } = this.table.stats();
    const topology = this.topology;
    return {
      byType,
      parkedCalls,
      cacheSubscriptions,
      sessions: connected,
      keptReplies,
      members: topology.members.length,
      epoch: topology.epoch,
      stable: this.handover.isStable,
      lostRegions: this.handover.lostRegions,
      repliesHeld: this.replicator.waiting,
    };
  }

  // ---------------------------------------------------------------- records

  /**
   * Applies one record sent by another member (this node backs the object up, or is its new
   * owner), made while the sender's view was `senderEpoch`, appending its bytes to `journal`
   * first. A change to an object that no longer concerns this node (see
   * {@link Handover.keeps}) is neither kept nor applied; answers whether the record was.
   */
  applyFromMember(bytes: Uint8Array, senderEpoch: number, journal: { append(record: Uint8Array): void } | undefined): boolean {
    const rec = decode(bytes) as unknown[];
    if (!Array.isArray(rec)) throw new TypeError('a record must be an array');
    // Only changes made by calls are filtered. What a handover sends (an object, its loss, a drop)
    // is always taken: a leaving member sends it to the owners in the view without it, before any
    // member has that view.
    const change = rec[0] === RecordKind.Call || rec[0] === RecordKind.Withdraw || rec[0] === RecordKind.EndSession || rec[0] === RecordKind.Destroy;
    if (change && !this.handover.keeps(rec[1] as string, senderEpoch)) return false;
    journal?.append(bytes);
    this.applyDecoded(rec);
    return true;
  }

  /** Applies one record from the journal (recovery). */
  apply(bytes: Uint8Array): void {
    const rec = decode(bytes) as unknown[];
    if (!Array.isArray(rec)) throw new TypeError('a record must be an array');
    this.applyDecoded(rec);
  }

  private applyDecoded(rec: unknown[]): void {
    const key = rec[1] as string;
    switch (rec[0]) {
      case RecordKind.Call: {
        const [, , sid, id, type, method, args, init, forceNew] = rec as [0, string, string, number, string, string, unknown[], unknown[] | null, boolean];
        const session = this.sessions.known(sid);
        if (session.replies.has(id) || this.table.isParked(session, id)) return;
        if (id > session.highestId) session.highestId = id;
        if (forceNew) this.lost.delete(key);
        this.table.call(
          session,
          { id, type, key, method, args, init: init ?? undefined, forceNew, timeoutMs: undefined },
          new KeepReply(session, id, key),
        );
        return;
      }
      case RecordKind.Withdraw:
        this.table.withdrawCall(this.sessions.known(rec[2] as string), rec[3] as number);
        return;
      case RecordKind.EndSession:
        this.table.endSession(this.sessions.known(rec[2] as string), (k) => k === key);
        return;
      case RecordKind.Destroy: {
        const session = this.sessions.known(rec[2] as string);
        if ((rec[3] as number) > session.highestId) session.highestId = rec[3] as number;
        const existed = this.table.destroy(key) || this.lost.delete(key);
        session.keepResult(rec[3] as number, key, existed);
        return;
      }
      case RecordKind.Object:
      case RecordKind.Restore:
        this.handover.installObject(rec as [number, string, string, Uint8Array, string[], ReplyItem[]], rec[0] === RecordKind.Restore);
        return;
      case RecordKind.Drop:
        this.handover.drop(key);
        return;
      case RecordKind.Lost:
        this.handover.drop(key);
        this.lost.set(key, String(rec[2]));
        return;
      default:
        throw new TypeError(`unknown record kind ${String(rec[0])}`);
    }
  }

  /**
   * Every object as snapshot items: its {@link RecordKind.Object} record, then the calls parked on it as
   * {@link RecordKind.Call} records. A parked call may have changed its object already (a barrier
   * arrival), so the state is taken with those calls withdrawn, and they are then made again in
   * their order, as if their clients had resent them: state, snapshot and replay agree.
   */
  snapshotItems(): Uint8Array[] {
    const items: Uint8Array[] = [];
    for (const [key] of [...this.table.entries()]) {
      const again = this.table.reissueParked(key, () => {
        const record = this.handover.objectRecord(key);
        if (record) items.push(encode(record));
      });
      for (const { session, call } of again) {
        items.push(encode([RecordKind.Call, key, session.id, call.id, call.type, call.method, call.args, null, false]));
      }
    }
    for (const [key, reason] of this.lost) items.push(encode([RecordKind.Lost, key, reason]));
    return items;
  }

  /** Stops the session sweep. */
  close(): void {
    clearInterval(this.sweep);
  }
}
