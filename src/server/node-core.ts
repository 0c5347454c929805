import type { Logger } from 'pino';
import { Placement } from '../cluster/placement.ts';
import { decodeState, encodeState } from '../objects/state-codec.ts';
import { decode, encode } from '../protocol/codec.ts';
import { EncodedMessage } from '../protocol/frame-batch.ts';
import { FAILED, MOVED, OK, type Topology } from '../protocol/messages.ts';
import { toWireError } from '../protocol/wire-error.ts';
import { SkeinError } from '../errors/skein-error.ts';
import type { Call, ObjectTable, Outcome } from './object-table.ts';
import { R, type ReplyItem } from './records.ts';
import { Replicator, type BackupLink } from './replicator.ts';
import { encodeReply, Session, type ReplySink } from './session.ts';

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
class ReplyTo implements Outcome {
  constructor(
    private readonly core: NodeCore,
    private readonly session: Session,
    private readonly id: number,
    private readonly key: string,
    private readonly origin: ReplySink,
  ) {}
  ok(value: unknown): void {
    this.core.reply(this.session, this.id, this.key, OK, value, this.origin);
  }
  fail(err: unknown): void {
    this.core.reply(this.session, this.id, this.key, FAILED, toWireError(err), this.origin);
  }
  /** The call was withdrawn because its object moves: the client sends it again to the new owner. */
  moved(topology: Topology): void {
    this.session.deliver(encodeReply(this.id, MOVED, topology), this.origin);
  }
}

/**
 * The outcome of a call a backup (or recovery) applies: the reply is kept for a retry that may
 * come here after a failover, and sent to no one (the owner answers).
 */
class KeepReply implements Outcome {
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

/** A call waiting for a handover to complete before it can run here. */
interface Waiting {
  session: Session;
  call: Call;
  origin: ReplySink;
}

/**
 * What a node does with calls, whoever sends them: routing (a call for an object this node does
 * not own is answered `MOVED` with the topology), exactly-once (a retried request is answered
 * from the session's kept replies, or waits for the parked call it repeats), replication and
 * journaling (every change goes out as a record before it is applied, and its reply waits until
 * the records are durable and at the backups), and handover when the membership changes.
 */
export class NodeCore {
  readonly sessions = new Map<string, Session>();
  readonly replicator = new Replicator();
  /** Links to the other members, by URL (set by the cluster layer). */
  readonly links = new Map<string, BackupLink>();
  private placement: Placement;
  private topo: Topology;
  /** The placement before the last view change, while its handover is under way. */
  private previous: Placement | undefined;
  /** Keys whose object could not be moved here, with why (see {@link R.Lost}). */
  private readonly lost = new Map<string, string>();
  /** The latest epoch each member has said it finished its handover for. */
  private readonly syncedEpoch = new Map<string, number>();
  /** Members whose handover for the current epoch has not arrived yet. */
  private awaitingSync = new Set<string>();
  private waiting: Waiting[] = [];
  private readonly table: ObjectTable;
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly opts: CoreOptions) {
    this.table = opts.table;
    this.placement = new Placement([opts.self]);
    this.topo = { epoch: 1, members: [opts.self], rf: opts.rf };
    this.sweep = setInterval(() => this.expireSessions(), Math.max(25, Math.floor(opts.sessionTtlMs / 4)));
    this.sweep.unref();
  }

  /** This node's URL. */
  get self(): string {
    return this.opts.self;
  }

  /** The cluster as this node knows it. */
  get topology(): Topology {
    return this.topo;
  }

  /** Whether this node is alone (no routing, no backups). */
  get alone(): boolean {
    return this.topo.members.length === 1;
  }

  /** Whether the object at `key` is this node's to serve. */
  owns(key: string): boolean {
    return this.alone || this.placement.primary(key) === this.opts.self;
  }

  // ---------------------------------------------------------------- sessions

  /** The session a client names (resumed if this node has it), or a new one ending with its connection. */
  attach(id: string | undefined, sink: ReplySink, fresh: () => string): Session {
    let session = id === undefined ? undefined : this.sessions.get(id);
    if (!session) {
      session = new Session(id ?? fresh(), id !== undefined, Date.now());
      this.sessions.set(session.id, session);
    }
    session.attach(sink);
    return session;
  }

  /**
   * The session's connection closed. Its parked calls on objects this node owns are withdrawn
   * (the client resends them if it comes back); a session the client did not name, or one that
   * said goodbye, ends now, any other after the session timeout.
   */
  detach(session: Session, sink: ReplySink, ending: boolean): void {
    if (!session.detach(sink, Date.now())) return;
    if (ending) {
      while (session.detach(session.sink!, Date.now()));
    } else if (session.sink !== undefined) {
      return;
    }
    if (ending || !session.resumable) this.endSession(session);
    else this.withdrawSession(session);
  }

  private withdrawSession(session: Session): void {
    for (const p of [...session.parked]) {
      const key = p.entry.key;
      if (!this.owns(key)) continue;
      this.emit([R.Withdraw, key, session.id, p.id], key);
      this.table.withdrawCall(session, p.id);
    }
  }

  private endSession(session: Session): void {
    const keys = new Set<string>();
    for (const p of session.parked) keys.add(p.entry.key);
    for (const key of session.leases.keys()) keys.add(key);
    for (const key of keys) {
      if (!this.owns(key)) continue;
      this.emit([R.EndSession, key, session.id], key);
      this.table.endSession(session, (k) => k === key);
    }
    if (session.idle) this.sessions.delete(session.id);
  }

  /** Ends sessions detached for longer than the session timeout; forgets idle ones. */
  private expireSessions(): void {
    const before = Date.now() - this.opts.sessionTtlMs;
    for (const session of [...this.sessions.values()]) {
      if (session.sink !== undefined || session.detachedAt > before) continue;
      this.endSession(session);
      if (session.idle) this.sessions.delete(session.id);
    }
  }

  /** The session `id` as records name it: created (without a connection) if this node has not seen it. */
  private known(id: string): Session {
    let session = this.sessions.get(id);
    if (!session) {
      session = new Session(id, true, Date.now());
      this.sessions.set(id, session);
    }
    return session;
  }

  /**
   * The session's client has these replies: forget them here, and (with backups) on the other
   * members too, which keep copies for a resend after a failover and hear of acks only this way.
   */
  acknowledged(session: Session, ids: readonly unknown[]): void {
    session.acknowledge(ids);
    if (this.alone || this.opts.rf < 2) return;
    const numbers = ids.filter((id): id is number => typeof id === 'number');
    for (const link of this.links.values()) link.forwardAcks(session.id, numbers);
  }

  // ---------------------------------------------------------------- calls

  /** Runs a client's call (that came on `origin`) here, or answers where it belongs. */
  call(session: Session, call: Call, origin: ReplySink): void {
    if (this.leaving) return this.moved(session, call.id, origin);
    if (!this.alone) {
      if (!this.owns(call.key)) return this.moved(session, call.id, origin);
      if (this.handingOver(call.key)) {
        this.waiting.push({ session, call, origin });
        return;
      }
    }
    if (this.lost.size > 0 && this.lost.has(call.key) && !call.forceNew) {
      const why = `the object at '${call.key}' was lost moving between members: ${this.lost.get(call.key)}; destroy it, or make it anew with forceNew`;
      return this.reply(session, call.id, call.key, FAILED, toWireError(new SkeinError('EOBJECT_LOST', why)), origin);
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
      if (session.parked.size > 0 && this.table.answerParkedTo(session, call.id, new ReplyTo(this, session, call.id, call.key, origin))) return;
    }
    if (this.replicating) {
      const spec = this.table.type(call.type)?.methods.get(call.method);
      if (spec && !spec.readonly) {
        this.emit([R.Call, call.key, session.id, call.id, call.type, call.method, call.args, call.init ?? null, call.forceNew], call.key);
      }
    }
    if (call.forceNew && this.lost.size > 0) this.lost.delete(call.key);
    this.table.call(session, call, new ReplyTo(this, session, call.id, call.key, origin));
  }

  /** Destroys the object at `key` for request `id` (that came on `origin`). */
  destroy(session: Session, id: number, key: string, origin: ReplySink): void {
    if (this.leaving || (!this.alone && !this.owns(key))) return this.moved(session, id, origin);
    const kept = id > session.highestId ? undefined : session.replies.get(id);
    if (id > session.highestId) session.highestId = id;
    if (kept) {
      if (kept.released) session.deliver(kept.message, origin);
      return;
    }
    this.emit([R.Destroy, key, session.id, id], key);
    const wasLost = this.lost.delete(key);
    this.reply(session, id, key, OK, this.table.destroy(key) || wasLost, origin);
  }

  /** @internal The reply to request `id` of `session`: kept, and sent when the replicator allows. */
  reply(session: Session, id: number, key: string, status: number, value: unknown, origin: ReplySink | undefined): void {
    this.replicator.reply(session, id, key, encodeReply(id, status, value), origin);
  }

  private moved(session: Session, id: number, origin: ReplySink): void {
    session.deliver(encodeReply(id, MOVED, this.topo), origin);
  }

  /** Whether changes go anywhere besides this node's memory. */
  private get replicating(): boolean {
    return this.journaled || !this.alone;
  }

  /** Set when a journal is in use. */
  private journaled = false;

  /** Sends every change to `journal` too; `afterCommit` runs after each commit (for snapshots). */
  useJournal(journal: import('./replicator.ts').RecordLog, afterCommit: () => void): void {
    this.journaled = true;
    this.replicator.useJournal(journal, afterCommit);
  }

  /** @internal A parked call on `key` timed out here: its withdrawal goes to the backups. */
  expired(key: string, session: import('./object-table.ts').SessionState, id: number): void {
    if (this.owns(key)) this.emit([R.Withdraw, key, session.id, id], key);
  }

  /** Emits a record about `key` to the journal and to the key's backups. */
  private emit(record: unknown[], key: string): void {
    if (!this.replicating) return;
    this.replicator.emit(record, this.backups(key));
  }

  private backups(key: string): BackupLink[] {
    if (this.alone || this.opts.rf < 2) return [];
    const out: BackupLink[] = [];
    for (const url of this.placement.owners(key, this.opts.rf)) {
      if (url === this.opts.self) continue;
      const link = this.links.get(url);
      if (link) out.push(link);
    }
    return out;
  }

  // ---------------------------------------------------------------- records

  /** Applies one record from the owner of its object (as a backup) or from the journal (recovery). */
  apply(bytes: Uint8Array): void {
    const rec = decode(bytes) as unknown[];
    if (!Array.isArray(rec)) throw new TypeError('a record must be an array');
    const key = rec[1] as string;
    switch (rec[0]) {
      case R.Call: {
        const [, , sid, id, type, method, args, init, forceNew] = rec as [0, string, string, number, string, string, unknown[], unknown[] | null, boolean];
        const session = this.known(sid);
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
      case R.Withdraw:
        this.table.withdrawCall(this.known(rec[2] as string), rec[3] as number);
        return;
      case R.EndSession:
        this.table.endSession(this.known(rec[2] as string), (k) => k === key);
        return;
      case R.Destroy: {
        const session = this.known(rec[2] as string);
        if ((rec[3] as number) > session.highestId) session.highestId = rec[3] as number;
        const existed = this.table.destroy(key) || this.lost.delete(key);
        session.keepResult(rec[3] as number, key, existed);
        return;
      }
      case R.Object:
        this.install(rec as [4, string, string, Uint8Array, string[], ReplyItem[]]);
        return;
      case R.Drop:
        this.drop(key);
        return;
      case R.Lost:
        this.drop(key);
        this.lost.set(key, String(rec[2]));
        return;
      default:
        throw new TypeError(`unknown record kind ${String(rec[0])}`);
    }
  }

  /** Replaces the object at a key with the copy a record carries. */
  private install([, key, typeName, state, holders, replies]: [4, string, string, Uint8Array, string[], ReplyItem[]]): void {
    const type = this.table.type(typeName);
    if (!type) throw new TypeError(`a handover carried a ${typeName}, a type this node does not serve; start every member with the same --objects`);
    this.abandon(this.table.withdrawAll(key));
    const { instance } = decodeState(type, state);
    this.table.put(key, type, instance);
    for (const sid of holders) this.table.lease(this.known(sid), key);
    for (const [sid, id, message] of replies) {
      const session = this.known(sid);
      session.keep(id, key, new EncodedMessage(id, decode(message)), true, false);
      if (id > session.highestId) session.highestId = id;
    }
  }

  /**
   * {@link objectRecord}, or an {@link R.Lost} record if the state cannot be encoded: the object
   * cannot move, and the members it goes to must say so rather than make it anew.
   */
  private movingRecord(key: string): unknown[] | undefined {
    try {
      return this.objectRecord(key);
    } catch (err) {
      const reason = (err as Error).message;
      this.opts.log.error({ key, err }, `the object at '${key}' cannot move to another member: ${reason}`);
      return [R.Lost, key, reason];
    }
  }

  /** The whole object at `key` as an {@link R.Object} record (its parked calls must be withdrawn first). */
  private objectRecord(key: string): unknown[] | undefined {
    const found = this.table.get(key);
    if (!found) return undefined;
    const holders: string[] = [];
    const replies: ReplyItem[] = [];
    for (const session of this.sessions.values()) {
      if (session.leases.has(key)) holders.push(session.id);
      for (const kept of session.replies.values()) {
        if (kept.key === key && kept.released) replies.push([session.id, kept.id, kept.message.payload]);
      }
    }
    return [R.Object, key, found.type.name, encodeState(found.type, found.instance), holders, replies];
  }

  private drop(key: string): void {
    this.abandon(this.table.withdrawAll(key));
    this.table.forget(key);
  }

  /** {@link drop}, written to the journal too, so a recovery does not bring the object back. */
  private dropLogged(key: string): void {
    if (this.journaled) this.replicator.emit([R.Drop, key], []);
    this.drop(key);
  }

  /** Withdrawn calls of a moving object: clients' calls are told to go to the new owner. */
  private abandon(outcomes: Outcome[]): void {
    for (const outcome of outcomes) if (outcome instanceof ReplyTo) outcome.moved(this.topo);
  }

  // ---------------------------------------------------------------- membership

  /**
   * Installs a new membership. For every object whose owners change, the first surviving owner
   * under the old view (the source) withdraws its parked calls (their clients resend them to the
   * new owner), sends the object with its state, leases and kept replies to each new owner, and
   * drops it if it is no longer one. Calls for those objects wait on the other owners until every
   * surviving member has sent its handover (`synced`). `before` are the members of the previous
   * view (for a node joining a cluster: the members without it, so it is the source of nothing).
   */
  installView(epoch: number, members: readonly string[], before: readonly string[]): void {
    const old = new Placement(before);
    const next = new Placement(members);
    this.placement = next;
    this.topo = { epoch, members: [...next.members], rf: this.opts.rf };
    this.previous = old;
    const rf = this.opts.rf;
    const self = this.opts.self;
    const live = new Set(next.members);
    for (const [key] of [...this.table.entries()]) {
      const before = old.owners(key, rf);
      const after = next.owners(key, rf);
      if (same(before, after)) continue;
      const source = before.find((m) => live.has(m));
      if (source !== self) {
        if (!after.includes(self)) this.dropLogged(key);
        continue;
      }
      this.abandon(this.table.withdrawAll(key));
      const record = this.movingRecord(key);
      if (!record) continue;
      const targets: BackupLink[] = [];
      for (const m of after) if (m !== self && this.links.get(m)) targets.push(this.links.get(m)!);
      this.replicator.emit(record, targets);
      if (!after.includes(self)) this.dropLogged(key);
    }
    this.awaitingSync = new Set(
      next.members.filter((m) => m !== self && old.members.includes(m) && (this.syncedEpoch.get(m) ?? 0) < epoch),
    );
    this.afterSync();
    const notice = encodeReply(0, MOVED, this.topo);
    for (const session of this.sessions.values()) session.sink?.push(notice);
  }

  /** `member` has sent all of its handover for `epoch`. */
  synced(member: string, epoch: number): void {
    // It may come before this node has installed that view itself.
    if (epoch > (this.syncedEpoch.get(member) ?? 0)) this.syncedEpoch.set(member, epoch);
    if (epoch < this.topo.epoch) return;
    this.awaitingSync.delete(member);
    this.afterSync();
  }

  private afterSync(): void {
    if (this.awaitingSync.size > 0) return;
    this.previous = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) this.call(w.session, w.call, w.origin);
  }

  /** Whether calls for `key` must wait for a handover to this node. */
  private handingOver(key: string): boolean {
    if (!this.previous) return false;
    const rf = this.opts.rf;
    const before = this.previous.owners(key, rf);
    const after = this.placement.owners(key, rf);
    if (same(before, after)) return false;
    const live = new Set(this.placement.members);
    return before.find((m) => live.has(m)) !== this.opts.self;
  }

  /**
   * Every object as snapshot items: its {@link R.Object} record, then the calls parked on it as
   * {@link R.Call} records. A parked call may have changed its object already (a barrier
   * arrival), so the state is taken with those calls withdrawn, and they are then made again in
   * their order, as if their clients had resent them: state, snapshot and replay agree.
   */
  snapshotItems(): Uint8Array[] {
    const items: Uint8Array[] = [];
    for (const [key] of [...this.table.entries()]) {
      const again = this.table.reissueParked(key, () => {
        const record = this.objectRecord(key);
        if (record) items.push(encode(record));
      });
      for (const { session, call } of again) {
        items.push(encode([R.Call, key, session.id, call.id, call.type, call.method, call.args, null, false]));
      }
    }
    for (const [key, reason] of this.lost) items.push(encode([R.Lost, key, reason]));
    return items;
  }

  private leaving = false;

  /**
   * Leaving the cluster: from now on every call is answered `MOVED`, and every object this node
   * owns goes, with its state, leases and kept replies, to each of its owners in the cluster
   * without this node (backup copies are dropped: their owners replicate them anew).
   * Resolves once they all have it; the caller then leaves the membership.
   */
  async handOffAll(): Promise<void> {
    this.leaving = true;
    const rest = this.topo.members.filter((m) => m !== this.opts.self);
    if (rest.length === 0) return;
    const next = new Placement(rest);
    for (const [key] of [...this.table.entries()]) {
      // A backup copy stays with the owner, which re-replicates when the view changes.
      if (!this.owns(key)) {
        this.dropLogged(key);
        continue;
      }
      this.abandon(this.table.withdrawAll(key));
      const record = this.movingRecord(key);
      if (!record) continue;
      const targets: BackupLink[] = [];
      for (const m of next.owners(key, this.opts.rf)) if (this.links.get(m)) targets.push(this.links.get(m)!);
      this.replicator.emit(record, targets);
      this.dropLogged(key);
    }
    await this.replicator.drained();
  }

  /** Stops the session sweep. */
  close(): void {
    clearInterval(this.sweep);
  }
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
