import type { Logger } from 'pino';
import { Membership, type View } from '../cluster/membership.ts';
import { decode, encode } from '../protocol/codec.ts';
import { frame } from '../protocol/frame.ts';
import type { NodeCore } from './node-core.ts';
import { InboundLinks, PeerLink, type PeerMessage } from './peer-link.ts';
import type { RecordLog } from './replicator.ts';

/** Settings of a node's {@link Cluster} membership. */
export interface ClusterOptions {
  /** This node's URL, as other members and clients reach it. */
  self: string;
  /** Members to join through; empty to start a new cluster. */
  seeds: readonly string[];
  token: string | undefined;
  log: Logger;
  /** The journal, when the node has one: records applied as a backup go in it before the ack. */
  journal: RecordLog | undefined;
  /** Heartbeat period and silence after which a member is declared dead (ms). */
  heartbeatMs?: number;
  failAfterMs?: number;
  /** Called once this member has been removed from the cluster while alive (it should stop). */
  onEvicted(): void;
}

/**
 * A node's place in its cluster: the links to the other members, the membership protocol over
 * them (joins, failure detection), and the bridge between views and the {@link NodeCore}'s
 * handover. Records from other members are applied here, journaled, and acknowledged.
 */
export class Cluster {
  private readonly links = new Map<string, PeerLink>();
  private readonly inbound = new InboundLinks();
  readonly membership: Membership;
  private joined = false;

  constructor(
    private readonly core: NodeCore,
    private readonly opts: ClusterOptions,
  ) {
    this.membership = new Membership({
      self: opts.self,
      seeds: opts.seeds,
      ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
      ...(opts.failAfterMs !== undefined ? { failAfterMs: opts.failAfterMs } : {}),
      transport: { send: (to, msg) => this.link(to).control(['m', msg]) },
      onView: (view, previous) => this.onView(view, previous),
      onEvicted: () => opts.onEvicted(),
    });
  }

  /** Joins (or starts) the cluster; resolves once this node is a member. */
  async start(): Promise<View> {
    const view = await this.membership.start();
    this.joined = true;
    return view;
  }

  /**
   * Leaves the cluster gracefully: hands every object over to its owners without this node, then
   * tells the others, and stops. Alone, it just stops.
   */
  async leave(): Promise<void> {
    if (this.joined && this.membership.view().members.length > 1) {
      await this.core.handOffAll();
      await this.membership.leave();
    }
    this.stop();
  }

  /** Stops heartbeats and closes the links. */
  stop(): void {
    this.membership.stop();
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  /** The link to `url`, opened on first use. */
  private link(url: string): PeerLink {
    let link = this.links.get(url);
    if (!link || link.gone) {
      link = new PeerLink(url, this.opts.self, this.opts.token, () => this.core.replicator.progress(), this.opts.log);
      this.links.set(url, link);
    }
    return link;
  }

  private onView(view: View, previous: View): void {
    this.opts.log.info({ epoch: view.epoch, members: view.members }, 'cluster view installed');
    const members = new Set(view.members);
    for (const [url, link] of this.links) {
      if (members.has(url)) continue;
      link.close();
      this.links.delete(url);
      this.core.links.delete(url);
    }
    for (const url of view.members) if (url !== this.opts.self) this.core.links.set(url, this.link(url));
    // A node joining a running cluster takes its objects from it: anything it held before
    // (recovered from its data directory) is stale next to the cluster's copies.
    const firstView = !previous.members.includes(this.opts.self) || previous.members.length === 0;
    const before = firstView ? view.members.filter((m) => m !== this.opts.self) : previous.members;
    this.core.installView(view.epoch, view.members, before.length > 0 ? before : [this.opts.self]);
    for (const url of view.members) if (url !== this.opts.self) this.link(url).control(['s', view.epoch]);
  }

  /** Handles a connection another member opened to this node. */
  acceptPeer(from: string, incarnation: string, write: (f: Buffer) => void): { onFrame(payload: Buffer): void; closed(): void } {
    return {
      onFrame: (payload) => {
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
            case 'm':
              this.membership.receive(from, msg[1]);
              break;
            case 'r':
              records = true;
              if (typeof msg[1] === 'number' && msg[2] instanceof Uint8Array && this.inbound.fresh(incarnation, msg[1])) {
                this.applyRecord(from, msg[2]);
              }
              break;
            case 's':
              if (typeof msg[1] === 'number') this.core.synced(from, msg[1]);
              break;
            case 'k':
              if (typeof msg[1] === 'string' && Array.isArray(msg[2])) this.core.sessions.get(msg[1])?.acknowledge(msg[2]);
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

  private applyRecord(from: string, record: Uint8Array): void {
    try {
      this.opts.journal?.append(record);
      this.core.apply(record);
    } catch (err) {
      this.opts.log.error({ err, from }, 'a record from a member could not be applied');
    }
  }
}
