import net from 'node:net';
import tls from 'node:tls';
import { AuthError } from '../errors/auth-error.ts';
import { ConnectionClosedError } from '../errors/connection-closed-error.ts';
import { ProtocolError } from '../errors/protocol-error.ts';
import type { SkeinError } from '../errors/skein-error.ts';
import { decode, encode, type RefFactory } from '../protocol/codec.ts';
import { DEFAULT_MAX_FRAME_BYTES, frame, FrameDecoder } from '../protocol/frame.ts';
import { EncodedMessage, FrameBatch } from '../protocol/frame-batch.ts';
import {
  FAILED,
  HELLO_MAGIC,
  MOVED,
  Op,
  PROTOCOL_VERSION,
  type AckRequest,
  type ByeRequest,
  type Hello,
  type Reply,
  type Request,
  type Topology,
  type Welcome,
  type WireError,
} from '../protocol/messages.ts';
import { fromWireError } from '../protocol/wire-error.ts';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint.ts';

/**
 * A request the node answers, as the client builds it: one of the protocol's request tuples, so
 * the compiler holds it to the shape the node parses, with its id slot (index 1) 0 until the
 * connection fills it in.
 */
export type Outgoing = Exclude<Request, AckRequest | ByeRequest>;

/** Re-sends a request differently when the node answers it with a given error code. */
export interface Fallback {
  /** The error code that triggers the fallback. */
  code: string;
  /** Produces the outcome instead of that error. */
  retry(): Promise<unknown>;
}

/**
 * How a call that may have been lost is settled: sent again, with the same request id, to wherever
 * its object lives now. The node's kept replies make the resend safe.
 */
export interface Resend {
  /** The node does not own the object (any more); `topology` is what it knows. */
  moved(topology: Topology): Promise<unknown>;
  /** The connection was lost with the call in flight: it may or may not have been applied. */
  lost(err: SkeinError): Promise<unknown>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: SkeinError): void;
  fallback: Fallback | undefined;
  /** For a call that may be resent: the key of its object (undefined: the request is not resent). */
  key: string | undefined;
  encoded: EncodedMessage;
  /** How it is resent, made at its first failure. */
  resend: Resend | undefined;
}

/**
 * Acknowledgements of replies (see `Op.Ack`) ride along with the next requests once this many
 * have gathered, so a client making one call at a time does not add a message to every frame.
 */
const ACK_RIDE = 16;
/** With no requests to ride on, acknowledgements go alone once this many have gathered. */
const ACK_BATCH = 64;

/** What a connection needs to open. */
export interface ConnectionOptions {
  endpoints: Endpoint[];
  token: string | undefined;
  /** Extra TLS options for `skeins://` endpoints (a private CA, client certificates, ...). */
  tls: tls.ConnectionOptions | undefined;
  refs: RefFactory;
  /** Called with connection-level notices from the node (frames it could not read). */
  onNotice: (err: SkeinError) => void;
  /** Makes the {@link Resend} of a call (the first time it is moved or lost). */
  resender(encoded: EncodedMessage, fallback: Fallback | undefined, key: string): Resend;
  /** Called with a reply to a request not sent on this connection (see {@link Connection.settle}). */
  orphan: (reply: Reply) => void;
  /** Called with the topology a node announces after its cluster's membership changed. */
  onTopology: (topology: Topology) => void;
  /** The client's session, named in the handshake so a reconnect resumes it. */
  session: string;
  /** Hands out request ids: unique within the session, across all its connections. */
  nextId(): number;
}

/**
 * Encodes request `msg` under `id` (filling its id slot), or answers why it cannot be sent: the
 * request is encoded once, when it is made, so it carries its arguments as they were then.
 */
export function encodeRequest(msg: Outgoing, id: number): EncodedMessage | ProtocolError {
  msg[1] = id;
  try {
    return new EncodedMessage(id, msg);
  } catch (err) {
    return new ProtocolError(`the arguments cannot be sent: ${(err as Error).message}`);
  }
}

/**
 * One TCP (or TLS) connection to a node: handshake, request ids, batching and reply matching.
 * A request is encoded when it is made, so it carries its arguments as they were at the call
 * (changing them afterwards, even in the same turn, changes nothing sent); the requests made in
 * the same turn of the event loop then leave in one frame; replies may come back in any order.
 * When the connection closes, a call still in flight goes to its {@link Resend} (the client sends
 * it again); any other request is rejected with {@link ConnectionClosedError}. The socket keeps the process alive only while requests are in
 * flight, so a program that forgets `close()` still exits.
 */
export class Connection {
  /** Resolves with the node's welcome once the handshake passed; rejects if it failed. */
  readonly ready: Promise<Welcome>;
  private socket!: net.Socket;
  private readonly pending = new Map<number, Pending>();
  private readonly outbox = new FrameBatch();
  private flushQueued = false;
  private readonly flushTask = this.flush.bind(this);
  private welcome: Welcome | undefined;
  /** Ids of replies received that the node may forget. */
  private acks: number[] = [];
  private closedWith: SkeinError | undefined;
  private maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;

  constructor(private readonly opts: ConnectionOptions) {
    this.ready = this.open();
    this.ready.catch(() => undefined);
  }

  /** Whether this connection can no longer carry requests. */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /**
   * Sends a request; resolves with the reply's value or rejects with its typed error (or, when
   * the error has the `fallback`'s code, settles as the fallback does). A request that cannot be
   * encoded rejects with a {@link ProtocolError} and is not sent.
   */
  request(msg: Outgoing, fallback?: Fallback): Promise<unknown> {
    const encoded = encodeRequest(msg, this.opts.nextId());
    if (encoded instanceof ProtocolError) return Promise.reject(encoded);
    return this.send(encoded, fallback, undefined);
  }

  /**
   * Sends a request already encoded (with its id). A call on the object at `key` (given) is
   * resent instead of failing if the node says it moved or the connection is lost while it is in
   * flight (`resend`, when it already failed once, carries its retry window on).
   */
  send(encoded: EncodedMessage, fallback: Fallback | undefined, key?: string, resend?: Resend): Promise<unknown> {
    if (this.closedWith) {
      if (key === undefined) return Promise.reject(this.closedWith);
      return (resend ?? this.opts.resender(encoded, fallback, key)).lost(this.closedWith);
    }
    return new Promise((resolve, reject) => {
      this.pending.set(encoded.id, { resolve, reject, fallback, key, encoded, resend });
      if (this.pending.size === 1) this.socket?.ref();
      this.push(encoded);
    });
  }

  /** Tells the node this client is leaving for good (its session ends now), then closes. */
  bye(): void {
    if (this.welcome && !this.closedWith) {
      this.push(new EncodedMessage(0, [Op.Bye] satisfies ByeRequest));
      this.flush();
    }
    this.close();
  }

  private push(encoded: EncodedMessage): void {
    this.outbox.push(encoded);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushTask);
    }
  }

  /** Closes the connection; requests in flight are rejected. */
  close(reason = 'the client was closed'): void {
    this.fail(new ConnectionClosedError(reason));
    this.socket?.end();
    this.socket?.unref();
  }

  /** Tries the seeds in order until one completes the handshake. */
  private async open(): Promise<Welcome> {
    let last: SkeinError = new ConnectionClosedError('no DSO address to connect to');
    for (const endpoint of this.opts.endpoints) {
      if (this.closedWith) throw this.closedWith;
      try {
        const welcome = await this.handshake(endpoint);
        this.welcome = welcome;
        this.maxFrameBytes = welcome.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
        if (this.pending.size === 0) this.socket?.unref();
        this.flush();
        return welcome;
      } catch (err) {
        last = err as SkeinError;
        if (err instanceof AuthError || err instanceof ProtocolError) break;
      }
    }
    this.fail(last);
    throw last;
  }

  /**
   * Opens a socket to one endpoint and runs the handshake. Failures before the welcome reject
   * the returned promise only; after it they close the connection.
   */
  private handshake(endpoint: Endpoint): Promise<Welcome> {
    const where = formatEndpoint(endpoint);
    const socket = endpoint.tls
      ? tls.connect({
          host: endpoint.host,
          port: endpoint.port,
          ...(net.isIP(endpoint.host) ? {} : { servername: endpoint.host }),
          ...this.opts.tls,
        })
      : net.connect({ host: endpoint.host, port: endpoint.port });
    this.socket = socket;
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    let established = false;
    return new Promise<Welcome>((resolve, reject) => {
      const hello: Hello = [HELLO_MAGIC, PROTOCOL_VERSION, this.opts.token ?? null, this.opts.session];
      socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => socket.write(frame(encode(hello))));
      const broken = (err: SkeinError): void => {
        if (established) this.fail(err);
        else reject(err);
        socket.destroy();
      };
      socket.on('data', (chunk: Buffer) => {
        try {
          decoder.push(chunk, (payload) => {
            if (established) {
              this.onFrame(payload);
              return;
            }
            const reply = (decode(payload) as Reply[])[0];
            if (!Array.isArray(reply) || reply[0] !== 0) throw new Error('bad handshake reply');
            if (reply[1] === FAILED) {
              broken(fromWireError(reply[2] as WireError));
              return;
            }
            established = true;
            resolve(reply[2] as Welcome);
          });
        } catch (err) {
          broken(new ProtocolError(`unreadable data from ${where}: ${(err as Error).message}`));
        }
      });
      socket.on('error', (err) => broken(new ConnectionClosedError(`connection to ${where} failed: ${err.message}`, { cause: err })));
      socket.on('close', () => broken(new ConnectionClosedError(`connection to ${where} closed`)));
    });
  }

  private onFrame(payload: Buffer): void {
    const replies = decode(payload, this.opts.refs) as Reply[];
    for (const reply of replies) {
      const [id, status, value] = reply;
      if (id === 0) {
        if (status === MOVED) this.opts.onTopology(value as Topology);
        else this.opts.onNotice(fromWireError(value as WireError));
        continue;
      }
      if (!this.settle(reply)) this.opts.orphan(reply);
    }
    if (this.acks.length >= ACK_BATCH && this.outbox.length === 0) this.push(this.takeAcks());
  }

  /**
   * Settles the request a reply answers, if it was sent on this connection. A session's reply may
   * come on another of its connections to the same node (the one it was sent on had closed).
   */
  settle(reply: Reply): boolean {
    const [id, status, value] = reply;
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    if (this.pending.size === 0) this.socket?.unref();
    {
      if (status === MOVED) {
        if (p.key !== undefined) this.resendOf(p).moved(value as Topology).then(p.resolve, p.reject);
        else p.reject(new ProtocolError('the node does not own this object and the request cannot be routed again'));
        return true;
      }
      if (p.key !== undefined) this.acks.push(id);
      if (status !== FAILED) p.resolve(value);
      else if (p.fallback && (value as WireError)[0] === p.fallback.code) p.fallback.retry().then(p.resolve, p.reject);
      else p.reject(fromWireError(value as WireError));
    }
    return true;
  }

  private takeAcks(): EncodedMessage {
    const ack = new EncodedMessage(0, [Op.Ack, this.acks] satisfies AckRequest);
    this.acks = [];
    return ack;
  }

  private flush(): void {
    this.flushQueued = false;
    if (!this.welcome || this.outbox.length === 0 || this.closedWith) return;
    if (this.acks.length >= ACK_RIDE) this.outbox.push(this.takeAcks());
    const max = this.maxFrameBytes;
    const { frames, tooLarge } = this.outbox.take(max);
    for (const m of tooLarge) {
      this.rejectRequest(m.id, new ProtocolError(`the request is ${m.soloPayloadBytes} bytes, over the node's ${max}-byte frame limit`, 'EFRAME_TOO_LARGE'));
    }
    for (const f of frames) this.socket.write(f);
  }

  private resendOf(p: Pending): Resend {
    return (p.resend ??= this.opts.resender(p.encoded, p.fallback, p.key!));
  }

  private rejectRequest(id: number, err: SkeinError): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(err);
  }

  private fail(err: SkeinError): void {
    if (this.closedWith) return;
    this.closedWith = err;
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.outbox.clear();
    for (const p of pending) {
      if (p.key !== undefined) this.resendOf(p).lost(err).then(p.resolve, p.reject);
      else p.reject(err);
    }
    this.socket?.unref();
  }
}
