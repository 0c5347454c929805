/**
 * A DSO node's membership of a cluster kept in etcd: its lease, its registration, the election of
 * the one member that writes views, and the watch through which every member learns them.
 *
 * Keys, under `/skein/<cluster>/`:
 * - `members/<url>`: `{ id, synced, restores }`, attached to the member's lease: it exists exactly
 *   while the lease lives. `id` is the lease id (one per run of the member); `synced` the latest
 *   epoch whose handover this member has finished; `restores` whether this run holds copies of
 *   its own from before (a data directory, or a lease lost while alive) that may be the last ones.
 * - `leader`: the URL of the member that writes views, attached to its lease (created only where
 *   absent: an election).
 * - `view`: `{ rf, members }`; its modification revision is the view's epoch.
 * - `status`: a {@link ClusterStatus}, written with each view and when the view becomes stable.
 * - `left/<url>`: `{ id }`, written in the same transaction that removes a member that handed
 *   everything over before leaving, so the leader does not count it as failed.
 *
 * Safety rests on three rules. A member serves only until `validUntil`: the time it sent the last
 * renewal that etcd granted, plus the TTL, minus a margin; etcd expires the lease no earlier than
 * that, so a paused or cut-off member stops before anyone may replace it. The leader removes a
 * member from the view only once etcd has deleted its key, i.e. after its lease expired (or it
 * left). Every write of the leader is a transaction conditional on its leadership and on the
 * revisions it read, so a deposed leader writes nothing.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { EtcdError } from '../errors/etcd-error.ts';
import { SkeinError } from '../errors/skein-error.ts';
import { EtcdClient, type KeyValue, type TxnOp, type Compare, type Watch, type WatchEvent } from './etcd-client.ts';
import { lostAfter, restored, sameMembers, sortMembers, type ClusterStatus, type MemberId, type View } from './view.ts';

/** Settings of an {@link EtcdMember}. */
export interface EtcdMemberOptions {
  /** etcd client URLs (`http://host:port`). */
  endpoints: readonly string[];
  /** The cluster's name: its keys live under `/skein/<cluster>/`. */
  cluster: string;
  /** This node's URL. */
  self: string;
  /** Copies of each object; every member of a cluster must use the same. */
  rf: number;
  /** The lease's time to live (ms); etcd counts whole seconds and may raise it (to 2 s at least with its defaults). */
  leaseTtlMs: number;
  /** Whether this run starts with copies of its own (recovered from a data directory). */
  restores: boolean;
  log: Logger;
  /** A newer view, or a new status for the current one. */
  onChange(view: View, status: ClusterStatus, me: MemberId): void;
  /**
   * This member's lease is gone while it runs (it was paused or cut off for longer than the
   * TTL): it is in no view any more and must not serve; it registers again as a new run.
   */
  onExpelled(): void;
}

interface Registered {
  id: string;
  synced: number;
  restores: boolean;
}

const EMPTY_STATUS: ClusterStatus = { epoch: 0, base: [], lost: [] };

/** A member's life in an etcd-kept cluster (see the module comment). */
export class EtcdMember {
  private readonly etcd: EtcdClient;
  private readonly prefix: string;
  private lease = '';
  private ttlMs = 0;
  /** `performance.now()` before which this member may serve (its lease is surely alive). */
  private leaseUntil = 0;
  private readonly registered = new Map<string, Registered>();
  private readonly left = new Map<string, KeyValue>();
  private view: View | undefined;
  private viewRev = 0;
  private status: ClusterStatus = EMPTY_STATUS;
  private statusRev = 0;
  private leader: KeyValue | undefined;
  /** The create revision of the leader key this member wrote, while it is the leader. */
  private leading = 0;
  private restores: boolean;
  private watch: Watch | undefined;
  private revision = 0;
  private stopped = false;
  private keepTimer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private again = false;
  private notifiedEpoch = 0;
  private notifiedStatusRev = 0;
  private readonly joined: Promise<void>;
  private resolveJoined!: () => void;

  constructor(private readonly opts: EtcdMemberOptions) {
    // Renewals carry their own, shorter timeout; other requests may wait on a busy etcd's fsync.
    this.etcd = new EtcdClient(opts.endpoints, { timeoutMs: 5000 });
    this.prefix = `/skein/${opts.cluster}/`;
    this.restores = opts.restores;
    this.joined = new Promise((resolve) => (this.resolveJoined = resolve));
  }

  /** This run's identity in views. */
  get me(): MemberId {
    return { url: this.opts.self, id: this.lease };
  }

  /** `performance.now()` before which this member's lease is surely alive. */
  get validUntil(): number {
    return this.leaseUntil;
  }

  /** Registers, starts watching and campaigning; resolves once a view names this member. */
  async start(timeoutMs = 15_000): Promise<void> {
    const { kvs, revision } = await this.etcd.range(this.prefix, { prefix: true });
    const existing = kvs.find((kv) => kv.key === `${this.prefix}view`);
    if (existing) {
      const rf = (JSON.parse(existing.value) as { rf: number }).rf;
      if (rf !== this.opts.rf) {
        throw new SkeinError('ERF_MISMATCH', `cluster '${this.opts.cluster}' keeps ${rf} copies of each object (rf ${rf}); this node was started with rf ${this.opts.rf}: every member must use the same`);
      }
    }
    await this.register();
    this.load(kvs, revision);
    this.keepAlive();
    this.follow();
    void this.campaign();
    this.changed();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.joined,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new EtcdError(`no view of cluster '${this.opts.cluster}' named this node within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Takes a new lease and writes this member's key with it. */
  private async register(): Promise<void> {
    const sentAt = performance.now();
    const { id, ttl } = await this.etcd.grant(Math.max(1, Math.ceil(this.opts.leaseTtlMs / 1000)));
    this.lease = id;
    this.ttlMs = ttl * 1000;
    this.leaseUntil = sentAt + this.ttlMs - this.margin();
    await this.putSelf(0);
    this.opts.log.info({ lease: id, ttlMs: this.ttlMs }, 'registered in etcd');
  }

  /** How long before etcd's earliest expiry this member stops serving. */
  private margin(): number {
    return Math.min(500, this.ttlMs / 10);
  }

  private putSelf(synced: number): Promise<number> {
    return this.etcd.put(`${this.prefix}members/${this.opts.self}`, JSON.stringify({ id: this.lease, synced, restores: this.restores }), this.lease);
  }

  /** Renews the lease every third of its TTL; a lease found gone expels this member. */
  private keepAlive(): void {
    const tick = async (): Promise<void> => {
      if (this.stopped) return;
      const sentAt = performance.now();
      let next = this.ttlMs / 3;
      try {
        const ttl = await this.etcd.keepAlive(this.lease, Math.max(200, Math.floor(this.ttlMs / 3)));
        if (ttl > 0) {
          this.leaseUntil = Math.max(this.leaseUntil, sentAt + ttl * 1000 - this.margin());
        } else if (!this.stopped) {
          await this.expelled();
          next = 0;
        }
      } catch (err) {
        this.opts.log.warn({ err }, 'could not renew the etcd lease');
        next = Math.min(next, 100);
      }
      if (!this.stopped) {
        this.keepTimer = setTimeout(() => void tick(), next);
        this.keepTimer.unref();
      }
    };
    this.keepTimer = setTimeout(() => void tick(), this.ttlMs / 3);
    this.keepTimer.unref();
  }

  /** The lease expired while this member ran: it stops serving, then joins again as a new run. */
  private async expelled(): Promise<void> {
    this.opts.log.error({ lease: this.lease }, 'the etcd lease expired (this node was paused or cut off): it stops serving and joins again');
    this.leaseUntil = 0;
    this.leading = 0;
    this.restores = true;
    this.opts.onExpelled();
    for (let delay = 100; !this.stopped; delay = Math.min(delay * 2, 1000)) {
      try {
        await this.register();
        void this.campaign();
        this.changed();
        return;
      } catch (err) {
        this.opts.log.warn({ err }, 'could not register in etcd again');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  /** Reads the whole prefix into this member's picture of the cluster. */
  private load(kvs: readonly KeyValue[], revision: number): void {
    this.registered.clear();
    this.left.clear();
    this.leader = undefined;
    for (const kv of kvs) this.put(kv);
    this.revision = revision;
  }

  private put(kv: KeyValue): void {
    const name = kv.key.slice(this.prefix.length);
    try {
      if (name.startsWith('members/')) {
        const v = JSON.parse(kv.value) as Registered;
        this.registered.set(name.slice('members/'.length), { id: String(v.id), synced: Number(v.synced) || 0, restores: v.restores === true });
      } else if (name.startsWith('left/')) {
        this.left.set(name.slice('left/'.length), kv);
      } else if (name === 'leader') {
        this.leader = kv;
      } else if (name === 'view') {
        const v = JSON.parse(kv.value) as { rf: number; members: MemberId[] };
        this.view = { epoch: kv.modRevision, rf: v.rf, members: v.members };
        this.viewRev = kv.modRevision;
      } else if (name === 'status') {
        this.status = JSON.parse(kv.value) as ClusterStatus;
        this.statusRev = kv.modRevision;
      }
    } catch (err) {
      this.opts.log.error({ err, key: kv.key }, 'an unreadable value in etcd was skipped');
    }
  }

  private remove(kv: KeyValue): void {
    const name = kv.key.slice(this.prefix.length);
    if (name.startsWith('members/')) this.registered.delete(name.slice('members/'.length));
    else if (name.startsWith('left/')) this.left.delete(name.slice('left/'.length));
    else if (name === 'leader') this.leader = undefined;
  }

  /** Watches the prefix; a broken watch is replaced after reading everything again. */
  private follow(): void {
    if (this.stopped) return;
    const watch = this.etcd.watch(this.prefix, this.revision + 1, (events, revision) => this.onEvents(events, revision));
    this.watch = watch;
    watch.done.then(
      () => undefined,
      async (err: unknown) => {
        if (this.stopped || this.watch !== watch) return;
        this.opts.log.warn({ err }, 'the etcd watch broke; reading the cluster again');
        for (let delay = 50; !this.stopped; delay = Math.min(delay * 2, 1000)) {
          try {
            const { kvs, revision } = await this.etcd.range(this.prefix, { prefix: true });
            this.load(kvs, revision);
            this.changed();
            this.follow();
            return;
          } catch {
            await new Promise((r) => setTimeout(r, delay).unref());
          }
        }
      },
    );
  }

  private onEvents(events: readonly WatchEvent[], revision: number): void {
    for (const e of events) {
      if (e.type === 'put') this.put(e.kv);
      else this.remove(e.kv);
    }
    if (revision > this.revision) this.revision = revision;
    if (this.leader === undefined) void this.campaign();
    this.changed();
  }

  /** Tries to become the leader (only where there is none). */
  private async campaign(): Promise<void> {
    if (this.stopped || this.leading !== 0 || this.leader !== undefined || this.lease === '') return;
    const key = `${this.prefix}leader`;
    try {
      const { succeeded, revision } = await this.etcd.txn([{ key, target: 'create', revision: 0 }], [{ put: { key, value: this.opts.self, lease: this.lease } }]);
      if (succeeded) {
        this.leading = revision;
        this.leader = { key, value: this.opts.self, createRevision: revision, modRevision: revision, lease: this.lease };
        this.opts.log.info({ revision }, 'this node leads the cluster (writes its views)');
        this.changed();
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'campaigning for leadership failed');
    }
  }

  /** After any change: install what is newer here, and as the leader, write what is due. */
  private changed(): void {
    if (this.leading !== 0 && this.leader?.createRevision !== this.leading) this.leading = 0;
    const view = this.view;
    if (view && (view.epoch > this.notifiedEpoch || this.statusRev > this.notifiedStatusRev)) {
      this.notifiedEpoch = view.epoch;
      this.notifiedStatusRev = this.statusRev;
      this.opts.onChange(view, this.status, this.me);
      if (view.members.some((m) => m.url === this.opts.self && m.id === this.lease)) this.resolveJoined();
    }
    if (this.leading !== 0) void this.reconcile();
  }

  /** The leader's duty: a view of exactly the registered members; the status once it is stable. */
  private async reconcile(): Promise<void> {
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = true;
    try {
      do {
        this.again = false;
        await this.reconcileOnce();
      } while (this.again && this.leading !== 0 && !this.stopped);
    } catch (err) {
      this.opts.log.warn({ err }, 'writing the cluster view failed; the next change retries');
    } finally {
      this.reconciling = false;
    }
  }

  private async reconcileOnce(): Promise<void> {
    if (this.leading === 0 || this.stopped) return;
    const desired = sortMembers([...this.registered].map(([url, r]) => ({ url, id: r.id })));
    if (desired.length === 0) return;
    const guard: Compare[] = [
      { key: `${this.prefix}leader`, target: 'create', revision: this.leading },
      { key: `${this.prefix}view`, target: 'mod', revision: this.viewRev },
      { key: `${this.prefix}status`, target: 'mod', revision: this.statusRev },
    ];
    const view = this.view;
    if (!view || !sameMembers(desired, view.members)) {
      const stable = view !== undefined && this.status.epoch === view.epoch;
      const base = stable ? view.members : this.status.base;
      const left = new Set<string>();
      for (const [url, kv] of this.left) left.add(`${url} ${(JSON.parse(kv.value) as { id: string }).id}`);
      const lost = lostAfter(this.status.lost, base, this.opts.rf, desired, left);
      const status: ClusterStatus = { epoch: 0, base, lost };
      const { succeeded, revision } = await this.etcd.txn(guard, [
        { put: { key: `${this.prefix}view`, value: JSON.stringify({ rf: this.opts.rf, members: desired }) } },
        { put: { key: `${this.prefix}status`, value: JSON.stringify(status) } },
      ]);
      if (succeeded) {
        this.opts.log.info({ epoch: revision, members: desired.map((m) => m.url), lost: lost.length }, 'wrote a new cluster view');
      }
      return;
    }
    if (this.status.epoch === view.epoch) return;
    const done = view.members.every((m) => {
      const r = this.registered.get(m.url);
      return r !== undefined && r.id === m.id && r.synced >= view.epoch;
    });
    if (!done) return;
    const back = new Set(view.members.filter((m) => this.registered.get(m.url)?.restores).map((m) => m.url));
    const status: ClusterStatus = { epoch: view.epoch, base: view.members, lost: restored(this.status.lost, back) };
    // Markers of members that left are needed only while they are in the base.
    const cleanup: TxnOp[] = [];
    for (const [url, kv] of this.left) {
      if (view.members.some((m) => m.url === url)) continue;
      guard.push({ key: kv.key, target: 'mod', revision: kv.modRevision });
      cleanup.push({ delete: { key: kv.key } });
    }
    const { succeeded } = await this.etcd.txn(guard, [{ put: { key: `${this.prefix}status`, value: JSON.stringify(status) } }, ...cleanup]);
    if (succeeded) this.opts.log.info({ epoch: view.epoch }, 'the cluster view is stable');
  }

  /** Tells the cluster that this member has finished its handover for `epoch`. */
  async synced(epoch: number): Promise<void> {
    const current = this.registered.get(this.opts.self);
    if (this.stopped || (current && current.id === this.lease && current.synced >= epoch)) return;
    try {
      await this.putSelf(epoch);
    } catch (err) {
      this.opts.log.warn({ err, epoch }, 'could not report the handover as done; the view stays unstable until it is');
    }
  }

  /**
   * Leaves the cluster: with `handedOver` (every object it owned is with its new owners), removes
   * this member's key and marks it as gone gracefully in one transaction; then revokes the lease.
   */
  async leave(handedOver: boolean): Promise<void> {
    const key = `${this.prefix}members/${this.opts.self}`;
    try {
      if (handedOver) await this.etcd.txn([], [{ delete: { key } }, { put: { key: `${this.prefix}left/${this.opts.self}`, value: JSON.stringify({ id: this.lease }) } }]);
      await this.etcd.revoke(this.lease);
    } finally {
      this.stop();
    }
  }

  /** Stops renewing and watching (the lease then expires on its own). */
  stop(): void {
    this.stopped = true;
    this.leaseUntil = 0;
    clearTimeout(this.keepTimer);
    this.watch?.close();
  }
}
