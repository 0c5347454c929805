/**
 * The message shapes of the wire protocol. Every frame after the handshake is a msgpack array of
 * messages; client messages are requests, node messages are replies, matched by request id.
 * Tuples rather than maps keep frames small on the hot path.
 */

/** Version of the wire protocol; the handshake fails when the peers differ. */
export const PROTOCOL_VERSION = 1;

/** First element of the client's handshake tuple. */
export const HELLO_MAGIC = 'skein';

/** Client handshake: `[magic, version, token]`, alone in the connection's first frame. */
export type Hello = [magic: typeof HELLO_MAGIC, version: number, token: string | null];

/** What the node tells a client that passed the handshake. */
export interface Welcome {
  /** The session this connection is; leases (permits, locks) belong to it. */
  session: string;
  /** The node's protocol version. */
  version: number;
  /** The node's largest accepted frame, so the client can refuse oversize calls locally. */
  maxFrameBytes: number;
}

/** Request kinds. */
export const Op = {
  Call: 1,
  Destroy: 2,
  Keys: 3,
  Ping: 4,
  Info: 5,
  Describe: 6,
} as const;

/**
 * Runs `method(...args)` on the object at `key` of `type`, creating it with `init` when missing (a
 * missing object and no `init` is answered `ENO_OBJECT`, and the client resends with it).
 * `forceNew` replaces an existing object. `timeoutMs` bounds a parked call.
 */
export type CallRequest = [
  op: typeof Op.Call,
  id: number,
  type: string,
  key: string,
  method: string,
  args: unknown[],
  init?: unknown[] | null,
  forceNew?: boolean,
  timeoutMs?: number | null,
];

/** Removes the object at `key`; answers whether one existed. Parked calls on it are rejected. */
export type DestroyRequest = [op: typeof Op.Destroy, id: number, key: string];

/** Lists the keys that start with `prefix`, sorted. */
export type KeysRequest = [op: typeof Op.Keys, id: number, prefix: string];

/** Answers `null`; a round trip with no object involved. */
export type PingRequest = [op: typeof Op.Ping, id: number];

/** Answers the node's {@link NodeInfo}. */
export type InfoRequest = [op: typeof Op.Info, id: number];

/** Answers the {@link ObjectDescription} of the object at `key`, or null if there is none. */
export type DescribeRequest = [op: typeof Op.Describe, id: number, key: string];

/** Any request. */
export type Request = CallRequest | DestroyRequest | KeysRequest | PingRequest | InfoRequest | DescribeRequest;

/** What a node tells about itself and the cluster it knows (`skein inspect`). */
export interface NodeInfo {
  /** The URL the node listens on. */
  url: string;
  /** Its wire protocol version. */
  protocol: number;
  /** Milliseconds since it started. */
  uptimeMs: number;
  /** Client connections (sessions) open now. */
  sessions: number;
  /** Live objects, in all and per type name. */
  objects: number;
  byType: Record<string, number>;
  /** Calls parked in `blockUntil` now, over all objects. */
  parkedCalls: number;
  /** The members it knows, itself included (a single node knows only itself). */
  members: Array<{ url: string; self: boolean }>;
}

/** One object as `skein inspect <key>` shows it. */
export interface ObjectDescription {
  key: string;
  type: string;
  /**
   * Its state as plain data: the instance's own fields, with class instances, Maps and Sets made
   * plain, long arrays and typed arrays cut to their first items, and cycles marked.
   */
  state: unknown;
  /** Calls parked on it now. */
  parkedCalls: number;
}

/** Reply status: the value is a result. */
export const OK = 0;
/** Reply status: the value is a {@link WireError}. */
export const FAILED = 1;

/** An error as it travels: `[code, name, message, stack?]`. */
export type WireError = [code: string, name: string, message: string, stack?: string];

/**
 * A reply. `id` 0 is a notice about the connection itself (a frame that could not be read), not
 * an answer to any request.
 */
export type Reply = [id: number, status: typeof OK, value: unknown] | [id: number, status: typeof FAILED, error: WireError];

/** Code of the internal reply that asks the client to resend a call with its init args. */
export const NO_OBJECT = 'ENO_OBJECT';
