import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AuthError } from '../errors/auth-error.ts';
import { ProtocolError } from '../errors/protocol-error.ts';
import { describe } from '../errors/describe-value.ts';
import { decode } from '../protocol/codec.ts';
import { FrameDecoder } from '../protocol/frame.ts';
import { FrameBatch, type EncodedMessage } from '../protocol/frame-batch.ts';
import {
  FAILED,
  HELLO_MAGIC,
  OK,
  Op,
  PEER_MAGIC,
  PROTOCOL_VERSION,
  type Welcome,
} from '../protocol/messages.ts';
import { MalformedRequest, parseRequest } from '../protocol/parse-request.ts';
import { toWireError } from '../protocol/wire-error.ts';
import type { NodeCore } from './node-core.ts';
import { encodeReply, type Session } from './session.ts';

/** Settings a connection needs from its node. */
export interface ConnectionOptions {
  /** The node's one door: every request the connection reads goes to it. */
  core: NodeCore;
  /**
   * Takes over a connection whose hello is another member's (`[PEER_MAGIC, version, token,
   * url, incarnation]`, token already checked): answers the handler of its frames, given how to write back.
   */
  acceptPeer(from: string, incarnation: string, write: (frame: Buffer) => void, end: () => void): { onFrame(payload: Buffer): void; closed(): void };
  token: string | undefined;
  maxFrameBytes: number;
  /** A connection that has not completed the handshake within this many ms is closed. */
  handshakeTimeoutMs: number;
  log: Logger;
}

/** Reading stops while this many reply bytes wait to be written (a client that does not read). */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

/**
 * Largest first frame (the handshake) a node accepts, so a peer that has not authenticated
 * cannot make it buffer a full-size frame. A hello is a few dozen bytes plus the token.
 */
export const MAX_HELLO_BYTES = 64 * 1024;

/** Largest frame between members: a handover carries a whole object (a matrix may be 16 MiB). */
export const PEER_MAX_FRAME_BYTES = 256 * 1024 * 1024;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * One client connection on a node: the handshake, then frames of requests answered by frames of
 * replies. Each reply is encoded the moment its call completes, so it carries the value as it was
 * at the call's linearization point even if a later call in the same batch changes the objects it
 * refers to; the replies produced in the same turn of the event loop then leave together in one
 * frame (several if they exceed the frame limit). Anything the client sends that cannot be read
 * gets a typed error; nothing it sends stops the node.
 */
export class NodeConnection {
  private readonly decoder: FrameDecoder;
  private session: Session | undefined;
  private peer: { onFrame(payload: Buffer): void; closed(): void } | undefined;
  private state: 'hello' | 'ready' | 'peer' | 'closed' = 'hello';
  private readonly outbox = new FrameBatch();
  private flushQueued = false;
  private readonly flushTask = this.flush.bind(this);
  private readonly onFrameBound = this.onFrame.bind(this);
  private draining = false;
  // Decoded strings are fresh objects, and every Map or property lookup with a fresh string hashes
  // it and compares contents. Consecutive calls mostly name the same type, key and method, so the
  // previous call's strings, hashed by their first lookups, stand in for equal ones.
  private lastType = '';
  private lastKey = '';
  private lastMethod = '';

  constructor(
    private readonly socket: Socket,
    private readonly opts: ConnectionOptions,
    private readonly onClose: (c: NodeConnection) => void,
  ) {
    this.decoder = new FrameDecoder(Math.min(MAX_HELLO_BYTES, opts.maxFrameBytes));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    // A peer that connects and never says hello must not hold a socket forever.
    socket.setTimeout(opts.handshakeTimeoutMs, () => {
      if (this.state !== 'hello') return;
      opts.log.debug('connection closed: no handshake in time');
      this.state = 'closed';
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => opts.log.debug({ err, session: this.session?.id }, 'connection error'));
    socket.on('close', () => this.closed());
    socket.on('drain', () => {
      if (this.draining) {
        this.draining = false;
        socket.resume();
      }
    });
  }

  /** The session id, once the handshake has passed. */
  get sessionId(): string | undefined {
    return this.session?.id;
  }

  /**
   * Closes the connection at once, reading and sending nothing more: the node lost its lease, and
   * what arrives late on a connection of its old run (a request or a record a peer's kernel kept
   * retransmitting through a partition) must find it closed, not be served by the new run.
   */
  drop(): void {
    this.socket.destroy();
  }

  /** Flushes pending replies and closes the connection (node shutdown). */
  end(): void {
    this.flush();
    this.socket.end();
    // A peer that never closes its side must not keep the node from stopping.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    try {
      this.decoder.push(chunk, this.onFrameBound);
    } catch (err) {
      // An oversize frame throws here (as would any unforeseen failure); the stream cannot be
      // re-synchronised after it, so nothing more is read (or buffered) from it.
      this.notice(err);
      this.state = 'closed';
      this.end();
    }
  }

  private onFrame(payload: Buffer): void {
    if (this.state === 'closed') return;
    if (this.state === 'peer') {
      this.peer!.onFrame(payload);
      return;
    }
    if (this.state === 'hello') {
      this.onHello(payload);
      return;
    }
    let batch: unknown;
    try {
      batch = decode(payload);
    } catch {
      this.notice(new ProtocolError('frame is not valid msgpack'));
      return;
    }
    if (!Array.isArray(batch)) {
      this.notice(new ProtocolError('a frame must be an array of requests'));
      return;
    }
    for (const req of batch) this.onRequest(req);
  }

  private onHello(payload: Buffer): void {
    let hello: unknown;
    try {
      hello = decode(payload);
    } catch {
      hello = undefined;
    }
    if (!Array.isArray(hello) || (hello[0] !== HELLO_MAGIC && hello[0] !== PEER_MAGIC)) {
      // Not a Skein client: say nothing, it would not understand.
      this.opts.log.debug('connection closed: no handshake');
      this.state = 'closed';
      this.socket.destroy();
      return;
    }
    const [magic, version, token, named] = hello as [string, unknown, unknown, unknown];
    if (version !== PROTOCOL_VERSION) {
      // `describe`, not String(): a peer's value may refuse conversion ({ toString: 1 }) or be huge.
      this.reject(new ProtocolError(`protocol version ${describe(version)} is not supported; this node speaks ${PROTOCOL_VERSION}`, 'EVERSION'));
      return;
    }
    if (this.opts.token !== undefined) {
      const given = typeof token === 'string' ? token : '';
      if (!timingSafeEqual(digest(given), digest(this.opts.token))) {
        this.reject(new AuthError(typeof token === 'string' ? 'wrong token' : 'this node requires a token'));
        return;
      }
    }
    if (named !== undefined && (typeof named !== 'string' || named.length === 0 || named.length > 200)) {
      this.reject(new ProtocolError('a session id must be a string of 1 to 200 characters'));
      return;
    }
    this.socket.setTimeout(0);
    if (magic === PEER_MAGIC) {
      if (typeof named !== 'string') {
        this.reject(new ProtocolError('a member must name its URL'));
        return;
      }
      this.state = 'peer';
      // Handovers carry whole objects, which may exceed a client's frame.
      this.decoder.maxFrameBytes = PEER_MAX_FRAME_BYTES;
      this.peer = this.opts.acceptPeer(named, String((hello as unknown[])[4]), (f) => this.socket.write(f), () => this.socket.destroy());
      return;
    }
    this.state = 'ready';
    this.decoder.maxFrameBytes = this.opts.maxFrameBytes;
    this.session = this.opts.core.attach(named, this, randomUUID);
    const welcome: Welcome = {
      session: this.session.id,
      version: PROTOCOL_VERSION,
      maxFrameBytes: this.opts.maxFrameBytes,
      topology: this.opts.core.topology,
      node: this.opts.core.self,
    };
    this.reply(0, OK, welcome);
  }

  private reject(err: Error): void {
    this.opts.log.info({ code: (err as AuthError).code }, `handshake refused: ${err.message}`);
    this.notice(err);
    this.flush();
    this.state = 'closed';
    this.socket.end();
  }

  private onRequest(raw: unknown): void {
    const req = parseRequest(raw);
    if (req instanceof MalformedRequest) {
      this.reply(req.id, FAILED, toWireError(req.error));
      return;
    }
    const session = this.session!;
    const core = this.opts.core;
    switch (req[0]) {
      case Op.Ack:
        return core.acknowledged(session, req[1]);
      case Op.Bye:
        return core.detach(session, this, true);
      case Op.Call: {
        const [, id, type, key, method, args, init, forceNew, timeoutMs] = req;
        return core.call(session, {
          id,
          type: type === this.lastType ? this.lastType : (this.lastType = type),
          key: key === this.lastKey ? this.lastKey : (this.lastKey = key),
          method: method === this.lastMethod ? this.lastMethod : (this.lastMethod = method),
          args,
          init: init ?? undefined,
          forceNew: forceNew === true,
          timeoutMs: timeoutMs ?? undefined,
        }, this);
      }
      case Op.Destroy:
        return core.destroy(session, req[1], req[2], this);
      case Op.Keys:
        return this.reply(req[1], OK, core.keys(req[2]));
      case Op.Ping:
        return this.reply(req[1], OK, null);
      case Op.Info:
        return this.reply(req[1], OK, core.info());
      case Op.Topology:
        return this.reply(req[1], OK, core.topology);
      case Op.Describe:
        return this.reply(req[1], OK, core.describe(req[2]));
    }
  }

  /** A notice about the connection itself (id 0): no request to attach it to. */
  private notice(err: unknown): void {
    this.reply(0, FAILED, toWireError(err));
  }

  /**
   * Encodes the reply to request `id` now and queues it for this turn's frame. A value that
   * cannot be encoded (see {@link encodeReply}), or is over the frame limit even alone, becomes
   * an error reply for that request alone.
   */
  reply(id: number, status: typeof OK | typeof FAILED, value: unknown): void {
    if (this.state === 'closed' && id !== 0) return;
    this.push(encodeReply(id, status, value));
  }

  /** Queues an encoded reply for this turn's frame (a {@link ReplySink}). */
  push(message: EncodedMessage): void {
    if (this.state === 'closed' && message.id !== 0) return;
    this.outbox.push(message);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushTask);
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.outbox.length === 0 || this.socket.destroyed) {
      this.outbox.clear();
      return;
    }
    const max = this.opts.maxFrameBytes;
    const { frames, tooLarge } = this.outbox.take(max);
    for (const { id } of tooLarge) {
      const why = new ProtocolError(`the reply exceeds the ${max}-byte frame limit`, 'EFRAME_TOO_LARGE');
      this.outbox.push(encodeReply(id, FAILED, toWireError(why)));
    }
    if (tooLarge.length > 0) frames.push(...this.outbox.take(max).frames);
    for (const f of frames) this.socket.write(f);
    if (this.socket.writableLength > HIGH_WATER_BYTES) {
      this.draining = true;
      this.socket.pause();
    }
  }

  private closed(): void {
    if (this.state !== 'closed') this.state = 'closed';
    if (this.session) this.opts.core.detach(this.session, this, false);
    this.peer?.closed();
    this.onClose(this);
  }
}
