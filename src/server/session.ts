import { ProtocolError } from '../errors/protocol-error.ts';
import { EncodedMessage } from '../protocol/frame-batch.ts';
import { FAILED, OK } from '../protocol/messages.ts';
import { toWireError } from '../protocol/wire-error.ts';
import { KeptReplies } from './kept-replies.ts';
import { SessionState } from './object-table.ts';

/** Where a session's replies are written: the connection it is attached to now. */
export interface ReplySink {
  push(message: EncodedMessage): void;
}

/**
 * Most replies a session keeps for retries when its client does not acknowledge them (a client
 * that acknowledges keeps far fewer); past it the oldest are forgotten. A retried call is
 * recognised as long as its reply is among these. A power of two.
 */
export const MAX_KEPT_REPLIES = 16_384;

/**
 * A reply kept for a retry: the encoded message and whether it may be sent yet (a reply waits
 * until its call is durable and replicated; a retry that arrives before then waits with it).
 */
export class KeptReply {
  constructor(
    /** The request id it answers. */
    readonly id: number,
    private encoded: EncodedMessage | undefined,
    readonly key: string,
    public released: boolean,
    /** The connection the call came on: its reply goes back there while it is open. */
    readonly origin: ReplySink | undefined,
    /** A value kept unencoded (a primitive cannot change), encoded if it is ever asked for. */
    private readonly value?: unknown,
  ) {}

  /** The reply as it goes on the wire. */
  get message(): EncodedMessage {
    return (this.encoded ??= encodeReply(this.id, OK, this.value));
  }
}

/**
 * Encodes a reply, on the connection as for kept replies. A value that cannot be encoded (msgpack
 * refuses it) becomes a `ProtocolError` reply for that call alone.
 */
export function encodeReply(id: number, status: number, value: unknown): EncodedMessage {
  try {
    return new EncodedMessage(id, [id, status, value]);
  } catch (err) {
    const why = new ProtocolError(`the reply could not be encoded: ${(err as Error).message}`);
    return new EncodedMessage(id, [id, FAILED, toWireError(why)]);
  }
}

/**
 * A client session on a node: what the object table keeps for it (parked calls, leases) plus the
 * replies to its calls, kept until the client acknowledges them, so a call retried after a lost
 * connection (or a failover) is answered instead of applied twice. A session outlives its
 * connections: a client that reconnects with the same id gets it back. Sessions a node learns
 * of through replication (its calls were applied here as a backup) have no connection at all.
 */
export class Session extends SessionState {
  /** Replies by request id. */
  readonly replies = new KeptReplies<KeptReply>(MAX_KEPT_REPLIES);
  /** The client's connections to this node, most recent last (usually one). */
  private readonly sinks: ReplySink[] = [];
  /** When the session last lost (or never had) its last connection; 0 while attached. */
  detachedAt: number;
  /**
   * The highest request id this node has seen from the session (calls it ran, or records it
   * applied): a call with a higher id is new, so it need not be looked up among kept replies.
   */
  highestId = 0;
  /** The client named this session (it may come back); otherwise it ends with its connection. */
  readonly resumable: boolean;

  constructor(id: string, resumable: boolean, now: number) {
    super(id);
    this.resumable = resumable;
    this.detachedAt = now;
  }

  /** The connection messages about the session go to (its most recent one), if any. */
  get sink(): ReplySink | undefined {
    return this.sinks[this.sinks.length - 1];
  }

  /** A connection of the client's was opened (or resumed the session). */
  attach(sink: ReplySink): void {
    this.sinks.push(sink);
    this.detachedAt = 0;
  }

  /** A connection closed; answers whether it was this session's. */
  detach(sink: ReplySink, now: number): boolean {
    const i = this.sinks.indexOf(sink);
    if (i < 0) return false;
    this.sinks.splice(i, 1);
    if (this.sinks.length === 0) this.detachedAt = now;
    return true;
  }

  /** Sends `message` on `origin` if it is still open, else on the session's latest connection. */
  deliver(message: EncodedMessage, origin: ReplySink | undefined): void {
    const to = origin !== undefined && this.sinks.includes(origin) ? origin : this.sink;
    to?.push(message);
  }

  /**
   * Keeps `message` as the reply to request `id` (on the object at `key`, asked on `origin`), and
   * sends it if `released` and `send` (a backup keeps replies only for retries: the owner answers).
   */
  keep(id: number, key: string, message: EncodedMessage, released: boolean, send = true, origin?: ReplySink): KeptReply {
    const kept = new KeptReply(id, message, key, released, origin);
    this.replies.set(kept);
    if (released && send) this.deliver(message, origin);
    return kept;
  }

  /**
   * Keeps the successful result `value` of request `id` for a resend only (a backup's copy of
   * the owner's reply). A primitive is kept as it is and encoded only if a resend asks for it: a
   * backup keeps every reply of a session (no acknowledgement reaches it), and an encoded reply
   * is a view that holds on to the encoder's whole buffer.
   */
  keepResult(id: number, key: string, value: unknown): void {
    if (value !== null && typeof value === 'object') this.keep(id, key, encodeReply(id, OK, value), true, false);
    else this.replies.set(new KeptReply(id, undefined, key, true, undefined, value));
  }

  /** Sends a kept reply that may now go out. */
  release(kept: KeptReply): void {
    kept.released = true;
    this.deliver(kept.message, kept.origin);
  }

  /** Forgets the replies the client has acknowledged. */
  acknowledge(ids: readonly unknown[]): void {
    for (const id of ids) if (typeof id === 'number') this.replies.delete(id);
  }

  /** Whether nothing on this node refers to the session any more, so it can be forgotten. */
  get idle(): boolean {
    return this.sinks.length === 0 && this.parked.size === 0 && this.leases.size === 0;
  }
}
