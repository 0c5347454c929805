import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { Placement } from '../cluster/placement.ts';
import { LostKeys, type ClusterStatus, type MemberId, type View } from '../cluster/view.ts';
import { decodeState, encodeState } from '../objects/state-codec.ts';
import { decode } from '../protocol/codec.ts';
import { EncodedMessage } from '../protocol/frame-batch.ts';
import { MOVED, type Topology } from '../protocol/messages.ts';
import type { ObjectTable, ResultSink } from './object-table.ts';
import { RecordKind, type ReplyItem } from './records.ts';
import type { BackupLink, Replicator } from './replicator.ts';
import { encodeReply } from './session.ts';
import type { SessionTable } from './session-table.ts';

/** What a {@link Handover} works with: the node's table, sessions, replicator and links. */
export interface HandoverHost {
  readonly self: string;
  readonly rf: number;
  readonly log: Logger;
  readonly table: ObjectTable;
  readonly sessions: SessionTable;
  readonly replicator: Replicator;
  /** Whether changes go to a journal. */
  readonly journaled: boolean;
  /** The link to another member, if this node has one. */
  link(url: string): BackupLink | undefined;
  /** Whether `sink` (of a withdrawn call) is a client's, who must resend the call (to the new owner). */
  isClientSink(sink: ResultSink): sink is ResultSink & { moved(topology: Topology): void };
}

/** A call waiting for a handover to complete before it can run here; `run` makes it again. */
export interface Waiting {
  run(): void;
}

/**
 * Which objects this node serves, and how they move when the cluster's view changes.
 *
 * Views come from etcd (see `cluster/etcd-member.ts`) with a status: the members of the last
 * stable view (the base: where each object's state is known to be) and the lost regions. When a
 * view is installed, every object whose owners differ from its owners in the base is sent, with
 * its state, leases and kept replies, by its source (the first owner in the base that is still a
 * member, same run) to each of its new owners; the source serves it meanwhile if it is the new
 * primary, any other new owner holds calls on it until the view is stable (every member has
 * received all it owns, so every member said so in etcd). Copies this node no longer owns are
 * dropped only then, since a view that changes again before becoming stable still counts on them.
 *
 * A node that joins (or comes back, with a data directory or after losing its lease) holds no
 * current copies: it is the source of nothing, and drops what it recovered, except objects of a
 * lost region it held, which it sends to their owners (the last copies there are).
 *
 * A single node (no etcd) is alone in a view of itself forever and serves everything.
 */
export class Handover {
  private placement: Placement;
  private topo: Topology;
  /** The last stable view's placement and its members' runs. */
  private base: Placement;
  private baseMembers: readonly MemberId[] = [];
  /** `url id` of each member of the installed view. */
  private alive = new Set<string>();
  private stable = true;
  private lostKeys = new LostKeys([]);
  private inView = true;
  /** This run has not yet been in a view: its objects are recovered copies, not current ones. */
  private fresh = false;
  private waiting: Waiting[] = [];
  private leaving = false;
  private statusSeen: ClusterStatus | undefined;
  private validUntil: () => number = () => Infinity;

  constructor(private readonly host: HandoverHost) {
    this.placement = new Placement([host.self]);
    this.base = this.placement;
    this.topo = { epoch: 1, members: [host.self], rf: host.rf };
  }

  /**
   * Makes this node a member of an etcd-kept cluster: it serves nothing until a view names it,
   * and then only while `validUntil()` (a `performance.now()` time: its lease) has not passed.
   */
  joinCluster(validUntil: () => number): void {
    this.validUntil = validUntil;
    this.inView = false;
    this.fresh = true;
    this.topo = { epoch: 0, members: [this.host.self], rf: this.host.rf };
  }

  /** The cluster as this node knows it. */
  get topology(): Topology {
    return this.topo;
  }

  /** Whether this node is alone (no routing, no backups). */
  get alone(): boolean {
    return this.topo.members.length === 1;
  }

  /**
   * Whether the installed view is stable: every member has received the objects it owns in it
   * (the handover to it is over, and no copy is kept for it any more).
   */
  get isStable(): boolean {
    return this.stable;
  }

  /** Regions of the key space whose every copy was lost and not yet restored or forgotten. */
  get lostRegions(): number {
    return this.statusSeen?.lost.length ?? 0;
  }

  /**
   * Whether a record about `key`, made while its sender's view was `senderEpoch`, concerns this
   * node. It does not only when this node's view is stable, at least as new as the sender's, and
   * does not give this node the key: the sender had not yet learnt the view is stable and still
   * sent to the base's owners (applied here, after this node dropped its copy, it would make a
   * stray one). A record from a sender ahead of this node is always taken: its view may give this
   * node the key.
   */
  keeps(key: string, senderEpoch: number): boolean {
    if (!this.stable || senderEpoch > this.topo.epoch || this.alone) return true;
    return this.placement.owners(key, this.host.rf).includes(this.host.self);
  }

  /** Whether this node may answer calls now: in its view and within its lease. */
  serving(): boolean {
    return !this.leaving && this.inView && performance.now() < this.validUntil();
  }

  /** Whether the object at `key` is this node's to serve. */
  owns(key: string): boolean {
    return this.alone || this.placement.primary(key) === this.host.self;
  }

  /**
   * Whether this node answers for `key` in a listing of keys: it owns it, or the view is not
   * stable yet and it is the key's source (its new owner may not have it yet).
   */
  lists(key: string): boolean {
    if (!this.inView) return false;
    return this.owns(key) || (!this.stable && this.source(key) === this.host.self);
  }

  /**
   * The members that keep copies of `key` besides this node: its owners, and until the view is
   * stable its owners in the base too, which stay current so that any of them can still be the
   * source if this node fails before the handover completes.
   */
  backups(key: string): BackupLink[] {
    if (this.host.rf < 2 || (this.alone && this.stable)) return [];
    const out: BackupLink[] = [];
    for (const url of this.placement.owners(key, this.host.rf)) this.addLink(out, url);
    if (!this.stable) for (const url of this.base.owners(key, this.host.rf)) this.addLink(out, url);
    return out;
  }

  private addLink(out: BackupLink[], url: string): void {
    if (url === this.host.self) return;
    const link = this.host.link(url);
    if (link && !out.includes(link)) out.push(link);
  }

  /**
   * Whether a call on `key` (which this node owns, and holds an object at if `present`) must wait
   * for the handover; `'lost'` if every copy of its object is gone.
   */
  check(key: string, present: boolean): 'serve' | 'wait' | 'lost' {
    if (!this.stable && !this.sourceHere(key)) return 'wait';
    if (!present && !this.lostKeys.empty && this.lostKeys.has(key)) return this.stable ? 'lost' : 'wait';
    return 'serve';
  }

  /** Holds a call until the view is stable (or a newer view says where it goes). */
  hold(w: Waiting): void {
    this.waiting.push(w);
  }

  /** Whether this node has the current state of `key` under the installed view (or nothing moves). */
  private sourceHere(key: string): boolean {
    const rf = this.host.rf;
    const before = this.base.owners(key, rf);
    const after = this.placement.owners(key, rf);
    if (same(before, after)) return true;
    return this.source(key) === this.host.self;
  }

  /** The first owner of `key` in the base that is still a member (same run). */
  private source(key: string): string | undefined {
    for (const url of this.base.owners(key, this.host.rf)) {
      const m = this.baseMembers.find((b) => b.url === url);
      if (m && this.alive.has(`${m.url} ${m.id}`)) return url;
    }
    return undefined;
  }

  /**
   * Installs a view (and its status) from etcd; `me` is this node's run. Answers the epoch whose
   * handover this node must report once its records are acknowledged, or undefined.
   */
  install(view: View, status: ClusterStatus, me: MemberId): number | undefined {
    if (view.epoch > this.topo.epoch) {
      const urls = view.members.map((m) => m.url);
      this.placement = new Placement(urls);
      this.topo = { epoch: view.epoch, members: [...this.placement.members], rf: this.host.rf };
      this.alive = new Set(view.members.map((m) => `${m.url} ${m.id}`));
      this.baseMembers = status.base;
      this.base = status.base.length > 0 ? new Placement(status.base.map((m) => m.url)) : this.placement;
      this.stable = status.epoch === view.epoch;
      this.lostKeys = new LostKeys(status.lost);
      this.statusSeen = status;
      this.inView = this.alive.has(`${me.url} ${me.id}`);
      this.host.log.info({ epoch: view.epoch, members: urls, member: this.inView, stable: this.stable, lost: status.lost.length }, 'cluster view installed');
      if (this.inView) this.move();
      const notice = encodeReply(0, MOVED, this.topo);
      for (const sink of this.host.sessions.sinks()) sink.push(notice);
      if (this.stable) this.stabilized();
      return this.inView ? view.epoch : undefined;
    }
    if (status !== this.statusSeen) {
      this.statusSeen = status;
      this.lostKeys = new LostKeys(status.lost);
      if (!this.stable && status.epoch === this.topo.epoch) {
        this.stable = true;
        this.baseMembers = status.base;
        this.base = this.placement;
        this.stabilized();
      } else {
        this.rerun();
      }
    }
    return undefined;
  }

  /** Sends every object whose owners changed since the base, where this node is its source. */
  private move(): void {
    const self = this.host.self;
    const rf = this.host.rf;
    const fresh = this.fresh;
    this.fresh = false;
    for (const [key] of [...this.host.table.entries()]) {
      const after = this.placement.owners(key, rf);
      if (fresh) {
        // Recovered copies are stale next to the cluster's, except the last copies of lost objects.
        const holders = this.lostKeys.holders(key);
        if (!holders?.includes(self)) {
          this.dropLogged(key);
          continue;
        }
        this.host.log.warn({ key }, 'sending the last copy of a lost object to its owners');
        this.send(key, after, RecordKind.Restore);
        continue;
      }
      if (same(this.base.owners(key, rf), after) || this.source(key) !== self) continue;
      this.send(key, after, RecordKind.Object);
    }
  }

  /** Withdraws the parked calls on `key` (their clients resend them) and sends the object to `owners`. */
  private send(key: string, owners: readonly string[], kind: typeof RecordKind.Object | typeof RecordKind.Restore): void {
    this.abandon(this.host.table.withdrawAll(key));
    const record = this.movingRecord(key, kind);
    if (!record) return;
    const targets: BackupLink[] = [];
    for (const m of owners) {
      if (m === this.host.self) continue;
      const link = this.host.link(m);
      if (link) targets.push(link);
    }
    this.host.replicator.emit(record, targets);
  }

  /** The view is stable: drop what this node no longer owns, run the calls that waited. */
  private stabilized(): void {
    this.base = this.placement;
    const self = this.host.self;
    if (this.inView) {
      for (const [key] of [...this.host.table.entries()]) {
        if (!this.placement.owners(key, this.host.rf).includes(self)) this.dropLogged(key);
      }
    }
    this.rerun();
  }

  /** Runs the waiting calls again (they wait again, fail or run, as things now stand). */
  private rerun(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.run();
  }

  /**
   * This node's lease is gone: it is in no view. Its parked calls are withdrawn (their clients
   * resend them to the new owners, which have them from the records); what it holds becomes
   * recovered copies, used only if they turn out to be the last ones.
   */
  expel(): void {
    this.inView = false;
    this.fresh = true;
    for (const [key] of [...this.host.table.entries()]) this.abandon(this.host.table.withdrawAll(key));
    this.rerun();
  }

  /** Installs an object from a handover (or, with `ifAbsent`, the last copy of a lost one). */
  installObject([, key, typeName, state, holders, replies]: [number, string, string, Uint8Array, string[], ReplyItem[]], ifAbsent: boolean): void {
    if (ifAbsent && this.host.table.get(key)) return;
    const type = this.host.table.type(typeName);
    if (!type) throw new TypeError(`a handover carried a ${typeName}, a type this node does not serve; start every member with the same --objects`);
    this.abandon(this.host.table.withdrawAll(key));
    const { instance } = decodeState(type, state);
    this.host.table.put(key, type, instance);
    for (const sid of holders) this.host.table.lease(this.host.sessions.known(sid), key);
    for (const [sid, id, message] of replies) {
      const session = this.host.sessions.known(sid);
      session.keep(id, key, new EncodedMessage(id, decode(message)), true, false);
      if (id > session.highestId) session.highestId = id;
    }
  }

  /**
   * The whole object at `key` as a record of `kind` (its parked calls must be withdrawn first), or
   * an {@link RecordKind.Lost} record if its state cannot be encoded: the members it goes to must say so
   * rather than make it anew.
   */
  private movingRecord(key: string, kind: typeof RecordKind.Object | typeof RecordKind.Restore): unknown[] | undefined {
    try {
      return this.objectRecord(key, kind);
    } catch (err) {
      const reason = (err as Error).message;
      this.host.log.error({ key, err }, `the object at '${key}' cannot move to another member: ${reason}`);
      return [RecordKind.Lost, key, reason];
    }
  }

  /** The whole object at `key` as a record (for a handover, a snapshot). */
  objectRecord(key: string, kind: typeof RecordKind.Object | typeof RecordKind.Restore = RecordKind.Object): unknown[] | undefined {
    const found = this.host.table.get(key);
    if (!found) return undefined;
    const { holders, replies } = this.host.sessions.ofKey(key);
    return [kind, key, found.type.name, encodeState(found.type, found.instance), holders, replies];
  }

  /** Removes the object at `key` here (it moved away). */
  drop(key: string): void {
    this.abandon(this.host.table.withdrawAll(key));
    this.host.table.forget(key);
  }

  /** {@link drop}, written to the journal too, so a recovery does not bring the object back. */
  private dropLogged(key: string): void {
    if (this.host.journaled) this.host.replicator.emit([RecordKind.Drop, key], []);
    this.drop(key);
  }

  /** Withdrawn calls of a moving object: clients' calls are told to go to the new owner. */
  private abandon(sinks: ResultSink[]): void {
    for (const sink of sinks) if (this.host.isClientSink(sink)) sink.moved(this.topo);
  }

  /**
   * Leaving the cluster: from now on every call is answered `MOVED`, and every object this node
   * owns goes, with its state, leases and kept replies, to each of its owners in the cluster
   * without this node (backup copies are dropped: their owners replicate them anew). Resolves
   * once they all have it; the caller then leaves the membership.
   */
  async handOffAll(): Promise<void> {
    this.leaving = true;
    const rest = this.topo.members.filter((m) => m !== this.host.self);
    if (rest.length === 0) return;
    const next = new Placement(rest);
    for (const [key] of [...this.host.table.entries()]) {
      if (this.owns(key)) this.send(key, next.owners(key, this.host.rf), RecordKind.Object);
      this.dropLogged(key);
    }
    await this.host.replicator.settled();
  }
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
