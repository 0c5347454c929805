import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Logger } from 'pino';
import { parseEndpoints } from '../protocol/endpoint.ts';
import { decode, encode } from '../protocol/codec.ts';
import { frame, FrameDecoder } from '../protocol/frame.ts';
import { PEER_MAGIC, PROTOCOL_VERSION } from '../protocol/messages.ts';
import type { BackupLink } from './replicator.ts';

/**
 * Messages from one member to another, in frames of arrays:
 * - `['r', n, record, epoch]`: the n-th record on this link (a change to an object the receiver
 *   backs up, or an object handed over), made while the sender's view was `epoch`;
 * - `['k', session, ids]`: the session's client acknowledged these replies (see `Op.Ack`).
 * The receiver answers on the same socket with `['a', n]`: it has applied (and journaled)
 * records up to n.
 */
export type PeerMessage = RecordMessage | ['k', string, readonly number[]];

/** A record on a link: its number on the link, its bytes, and the sender's view epoch when it was made. */
export type RecordMessage = ['r', number, Uint8Array, number];

/** Reconnect delay after a link drops, doubling up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1000;

/**
 * The one-way link from this member to another: an ordered stream of {@link PeerMessage}s over a
 * TCP connection opened and reopened on demand. Records stay queued until acknowledged and are
 * sent again after a reconnect (the receiver skips those it has), so a dropped connection loses
 * none. Acknowledgement forwards are best effort: lost while the peer is unreachable.
 */
export class PeerLink implements BackupLink {
  /**
   * `<member run>.<random>`: names the sending member's run (its etcd lease id), so the receiver
   * takes records only from members of its view, and distinguishes this link from an earlier one
   * between the same members.
   */
  private readonly incarnation: string;
  private socket: net.Socket | undefined;
  private connected = false;
  private queue: PeerMessage[] = [];
  /** Records sent and not yet acknowledged, oldest first, for a resend after a reconnect. */
  private unacked: RecordMessage[] = [];
  private nextRecord = 1;
  private ackedUpTo = 0;
  private closed = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  gone = false;

  constructor(
    readonly url: string,
    private readonly self: string,
    run: string,
    private readonly token: string | undefined,
    private readonly onAck: () => void,
    private readonly log: Logger,
    /** The sending member's view epoch now (stamped on each record). */
    private readonly epoch: () => number,
  ) {
    this.incarnation = `${run}.${randomBytes(8).toString('hex')}`;
  }

  get acked(): number {
    return this.ackedUpTo;
  }

  /** Records sent (or queued) on this link that the member has not acknowledged yet. */
  get unackedRecords(): number {
    return this.unacked.length;
  }

  send(record: Uint8Array): number {
    const n = this.nextRecord++;
    const msg: RecordMessage = ['r', n, record, this.epoch()];
    this.unacked.push(msg);
    this.queue.push(msg);
    return n;
  }

  forwardAcks(session: string, ids: readonly number[]): void {
    this.control(['k', session, ids]);
  }

  /** Queues a message that is not a record (best effort). */
  control(msg: PeerMessage): void {
    if (this.closed) return;
    this.queue.push(msg);
    queueMicrotask(() => this.flush());
  }

  flush(): void {
    if (this.closed || this.queue.length === 0) return;
    if (!this.connected) {
      this.connect();
      return;
    }
    const batch = this.queue;
    this.queue = [];
    this.socket!.write(frame(encode(batch)));
  }

  /** Stops the link for good: the member left the cluster. Nothing more is waited for. */
  close(): void {
    this.closed = true;
    this.gone = true;
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
    this.onAck();
  }

  private connect(): void {
    if (this.socket || this.closed) return;
    const [endpoint] = parseEndpoints(this.url);
    const socket = net.connect({ host: endpoint!.host, port: endpoint!.port });
    this.socket = socket;
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(1024 * 1024);
    socket.once('connect', () => {
      socket.write(frame(encode([PEER_MAGIC, PROTOCOL_VERSION, this.token ?? null, this.self, this.incarnation])));
      this.connected = true;
      this.retryMs = FIRST_RETRY_MS;
      // Whatever was sent on the lost connection and not acknowledged goes again, first.
      const resend = this.unacked.filter((m) => !this.queue.includes(m));
      this.queue = [...resend, ...this.queue];
      this.flush();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk, (payload) => this.onFrame(payload));
      } catch (err) {
        this.log.warn({ err, peer: this.url }, 'unreadable data from a member');
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.log.debug({ err, peer: this.url }, 'member link error'));
    socket.on('close', () => {
      this.socket = undefined;
      this.connected = false;
      if (this.closed) return;
      // Acknowledgement forwards are best effort; records are in `unacked` and go again.
      this.queue = this.queue.filter((m) => m[0] === 'r');
      this.retryTimer = setTimeout(() => {
        if (this.queue.length > 0 || this.unacked.length > 0) this.connect();
      }, this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    });
    socket.unref();
  }

  private onFrame(payload: Buffer): void {
    const msg = decode(payload) as unknown;
    if (!Array.isArray(msg) || msg[0] !== 'a' || typeof msg[1] !== 'number') return;
    const n = msg[1];
    if (n <= this.ackedUpTo) return;
    this.ackedUpTo = n;
    let i = 0;
    while (i < this.unacked.length && this.unacked[i]![1] <= n) i++;
    if (i > 0) this.unacked.splice(0, i);
    this.onAck();
  }
}

/** What a member remembers of each link into it, across reconnects: the last record applied. */
export class InboundLinks {
  private readonly last = new Map<string, number>();

  /** Whether record `n` of link `incarnation` is new (and marks it applied when it is). */
  fresh(incarnation: string, n: number): boolean {
    const last = this.last.get(incarnation) ?? 0;
    if (n <= last) return false;
    this.last.set(incarnation, n);
    return true;
  }

  /** The last record applied from link `incarnation`. */
  applied(incarnation: string): number {
    return this.last.get(incarnation) ?? 0;
  }
}
