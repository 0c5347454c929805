import type { Logger } from 'pino';
import { EtcdMember } from '../cluster/etcd-member.ts';
import type { ClusterStatus, MemberId, View } from '../cluster/view.ts';
import { decode, encode } from '../protocol/codec.ts';
import { frame } from '../protocol/frame.ts';
import type { NodeCore } from './node-core.ts';
import { InboundLinks, PeerLink, type PeerMessage } from './peer-link.ts';
import type { BackupLink, RecordLog } from './replicator.ts';

/** Settings of a node's {@link Cluster} membership. */
export interface ClusterOptions {
  /** This node's URL, as other members and clients reach it. */
  self: string;
  /** etcd client URLs. */
  etcd: readonly string[];
  /** The cluster's name in etcd. */
  cluster: string;
  rf: number;
  leaseTtlMs: number;
  /** Whether this run starts with state recovered from a data directory. */
  restores: boolean;
  token: string | undefined;
  log: Logger;
  /** The journal, when the node has one: records applied as a backup go in it before the ack. */
  journal: RecordLog | undefined;
  /** Closes every connection the node has (clients' and members'): its run ended. */
  dropConnections(): void;
}

/**
 * A node's place in its etcd-kept cluster: its {@link EtcdMember} (lease, views), the links to
 * the other members of its view, and the records they send it, applied, journaled and
 * acknowledged here. Records are taken only from members of the installed view (same run): a
 * member that was paused or cut off and replaced cannot change a copy it no longer owns.
 */
export class Cluster {
  private readonly links = new Map<string, PeerLink>();
  private readonly inbound = new InboundLinks();
  private readonly member: EtcdMember;
  /** `url id` of the members of the installed view. */
  private members = new Set<string>();

  constructor(
    private readonly core: NodeCore,
    private readonly opts: ClusterOptions,
  ) {
    this.member = new EtcdMember({
      endpoints: opts.etcd,
      cluster: opts.cluster,
      self: opts.self,
      rf: opts.rf,
      leaseTtlMs: opts.leaseTtlMs,
      restores: opts.restores,
      log: opts.log,
      onChange: (view, status, me) => this.onChange(view, status, me),
      onExpelled: () => this.onExpelled(),
    });
    core.joinCluster(() => this.member.validUntil);
    core.setLinks(this.links as Map<string, BackupLink>);
  }

  /** Registers in etcd; resolves once a view names this node. */
  start(): Promise<void> {
    return this.member.start();
  }

  /**
   * Leaves the cluster gracefully: hands every object over to its owners without this node,
   * then leaves the view in etcd, and stops.
   */
  async leave(): Promise<void> {
    // The members it hands over to may be leaving too (a whole cluster stopped at once): it waits
    // for them a bounded time, and a member that could not hand everything over leaves as a
    // failed one would, so the cluster counts what only it held as lost, never as empty.
    let timer: NodeJS.Timeout | undefined;
    const handedOver =
      this.core.topology.members.length <= 1 ||
      (await Promise.race([
        this.core.handOffAll().then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2 * this.opts.leaseTtlMs))),
      ]));
    clearTimeout(timer);
    if (!handedOver) this.opts.log.warn('the other members did not take this node\'s objects in time; it leaves as a failed member would');
    try {
      await this.member.leave(handedOver);
    } finally {
      this.stop();
    }
  }

  /** Per member this node replicates to: the records sent there and not acknowledged yet. */
  replicationLag(): Array<{ member: string; records: number }> {
    return [...this.links].map(([member, link]) => ({ member, records: link.unackedRecords }));
  }

  /** Stops renewing the lease (it then expires) and closes the links. */
  stop(): void {
    this.member.stop();
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  private onChange(view: View, status: ClusterStatus, me: MemberId): void {
    if (view.epoch > this.core.topology.epoch) {
      // Records are taken only while this run is in the view itself: a node joining must not
      // take a handover before it has dropped the stale copies it recovered.
      const inView = view.members.some((m) => m.url === me.url && m.id === me.id);
      this.members = inView ? new Set(view.members.map((m) => `${m.url} ${m.id}`)) : new Set();
      const urls = new Set(view.members.map((m) => m.url));
      for (const [url, link] of this.links) {
        if (urls.has(url)) continue;
        link.close();
        this.links.delete(url);
      }
      for (const url of urls) {
        if (url === this.opts.self || this.links.get(url)?.gone === false) continue;
        this.links.set(url, new PeerLink(url, this.opts.self, me.id, this.opts.token, () => this.core.backupProgress(), this.opts.log, () => this.core.topology.epoch));
      }
    }
    const epoch = this.core.installView(view, status, me);
    if (epoch === undefined) return;
    void this.core.settled().then(() => {
      if (this.core.topology.epoch === epoch) return this.member.synced(epoch);
    });
  }

  /** The lease expired under this node: it stops, and the links of its old run go. */
  private onExpelled(): void {
    // First: closing the links would otherwise release replies still waiting for backups that
    // may never have applied their calls.
    this.core.expel();
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.members = new Set();
    // Requests and records still in flight toward the old run (a partition delays them, it does
    // not drop them) must not reach the new one: every connection of this run goes. Clients
    // reconnect and resend what is in doubt; members open new links once a view names this run.
    this.opts.dropConnections();
  }

  /** Handles a connection another member opened to this node. */
  acceptPeer(from: string, incarnation: string, write: (f: Buffer) => void, end: () => void): { onFrame(payload: Buffer): void; closed(): void } {
    const run = incarnation.split('.')[0] ?? '';
    return {
      onFrame: (payload) => {
        // A member this node's view does not have (yet, or any more) is refused; if it is a
        // member, it reconnects and sends its records again once this node has the view.
        if (!this.members.has(`${from} ${run}`)) {
          this.opts.log.debug({ from }, 'records from a node outside this view were refused');
          end();
          return;
        }
        let batch: unknown;
        try {
          batch = decode(payload);
        } catch {
          this.opts.log.warn({ from }, 'unreadable frame from a member');
          return;
        }
        if (!Array.isArray(batch)) return;
        let records = false;
        for (const msg of batch as PeerMessage[]) {
          if (!Array.isArray(msg)) continue;
          switch (msg[0]) {
            case 'r':
              records = true;
              if (typeof msg[1] === 'number' && msg[2] instanceof Uint8Array && this.inbound.fresh(incarnation, msg[1])) {
                this.applyRecord(from, msg[2], typeof msg[3] === 'number' ? msg[3] : Infinity);
              }
              break;
            case 'k':
              if (typeof msg[1] === 'string' && Array.isArray(msg[2])) this.core.forwardedAcks(msg[1], msg[2]);
              break;
          }
        }
        if (records) {
          this.opts.journal?.commit();
          write(frame(encode(['a', this.inbound.applied(incarnation)])));
        }
      },
      closed: () => undefined,
    };
  }

  private applyRecord(from: string, record: Uint8Array, senderEpoch: number): void {
    try {
      if (!this.core.applyFromMember(record, senderEpoch, this.opts.journal)) {
        this.opts.log.debug({ from }, 'a record about a key this node no longer holds was ignored');
      }
    } catch (err) {
      this.opts.log.error({ err, from }, 'a record from a member could not be applied');
    }
  }
}
