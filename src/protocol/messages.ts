/**
 * The message shapes of the wire protocol. Every frame after the handshake is a msgpack array of
 * messages; client messages are requests, node messages are replies, matched by request id.
 * Tuples rather than maps keep frames small on the hot path.
 */

/** Version of the wire protocol; the handshake fails when the peers differ. */
export const PROTOCOL_VERSION = 1;

/** First element of the client's handshake tuple. */
export const HELLO_MAGIC = 'skein';

/**
 * First element of a member's handshake with another member:
 * `[PEER_MAGIC, version, token, url, '<run>.<random>']`, the URL being the sender's id in the
 * cluster and the last element the link's incarnation (the sender's run, see `PeerLink`).
 */
export const PEER_MAGIC = 'skein-peer';

/**
 * Client handshake: `[magic, version, token, session?]`, alone in the connection's first frame.
 * A client that names a session resumes it if the node still has it (its leases, its parked calls
 * and the replies it has not acknowledged), else starts it under that id; it must be unique (the
 * client draws it at random). Without one, the node makes a session that ends with the
 * connection.
 */
export type Hello = [magic: typeof HELLO_MAGIC, version: number, token: string | null, session?: string];

/** How the cluster is laid out, as a node knows it: what a client routes by. */
export interface Topology {
  /** Increases with every change of membership; a client keeps the highest it has seen. */
  epoch: number;
  /** The live members' URLs, sorted. */
  members: string[];
  /** Copies of each object (owner included). */
  rf: number;
}

/** What the node tells a client that passed the handshake. */
export interface Welcome {
  /** The session this connection belongs to; leases (permits, locks) belong to it. */
  session: string;
  /** The node's protocol version. */
  version: number;
  /** The node's largest accepted frame, so the client can refuse oversize calls locally. */
  maxFrameBytes: number;
  /** The cluster as this node knows it (a single node lists only itself). */
  topology: Topology;
  /** This node's URL among the members. */
  node: string;
}

/** Request kinds. */
export const Op = {
  Call: 1,
  Destroy: 2,
  Keys: 3,
  Ping: 4,
  Info: 5,
  Describe: 6,
  Ack: 7,
  Bye: 8,
  Topology: 9,
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
  init?: readonly unknown[] | null,
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

/**
 * `[7, ids]`: the client has the replies to these requests and will not ask again, so the node may
 * forget them (no reply). Replies not acknowledged are kept, up to a bound, so a call retried after
 * a lost connection is answered from them rather than applied twice.
 */
export type AckRequest = [op: typeof Op.Ack, ids: number[]];

/** `[8]`: the client is closing for good; its session ends now (leases returned), not after the session timeout. No reply. */
export type ByeRequest = [op: typeof Op.Bye];

/** Answers the node's {@link Topology}. */
export type TopologyRequest = [op: typeof Op.Topology, id: number];

/** Any request. */
export type Request =
  | CallRequest
  | DestroyRequest
  | KeysRequest
  | PingRequest
  | InfoRequest
  | DescribeRequest
  | AckRequest
  | ByeRequest
  | TopologyRequest;

/** What a node tells about itself and the cluster it knows (`skein inspect`). */
export interface NodeInfo {
  /** The URL the node listens on. */
  url: string;
  /** Its wire protocol version. */
  protocol: number;
  /** Milliseconds since it started. */
  uptimeMs: number;
  /** Client sessions with a connection to this node now. */
  sessions: number;
  /** Replies kept for resends, over all sessions (until their clients acknowledge them). */
  keptReplies: number;
  /** Live objects held here, in all (backup copies included) and per type name. */
  objects: number;
  /** Of those, the objects this node owns (serves calls for). */
  owned: number;
  byType: Record<string, number>;
  /** The names in `byType` that are lattice types (`LwwRegister`, `PnCounter`, ...), sorted. */
  latticeTypes: string[];
  /** Calls parked in `blockUntil` now, over all objects. */
  parkedCalls: number;
  /**
   * Of those, the calls parked on lattice objects: each is one client's cache subscribed to a key
   * (a parked `watch` the node answers with the next newer state), withdrawn when that client's
   * session ends.
   */
  cacheSubscriptions: number;
  /** The members it knows, itself included (a single node knows only itself). */
  members: Array<{ url: string; self: boolean }>;
  /** The membership epoch (see {@link Topology}). */
  epoch: number;
  /** Copies of each object, owner included. */
  rf: number;
  /**
   * Whether the node's view is stable: every member holds the objects it owns in it. While a
   * handover runs, copies for the previous view are kept too, so `objects` counts them.
   */
  stable: boolean;
  /** Regions of keys whose every copy was lost (members failed together), as the node knows. */
  lostRegions: number;
  /** Calls this node answered as their objects' owner since it started (errors included). */
  calls: number;
  /**
   * The keys it answered most calls on lately, highest first (at most 10): estimates from a
   * sample of the calls over the last 10 to 20 seconds, kept in bounded memory.
   */
  hotKeys: Array<{ key: string; calls: number }>;
}

/** One object as `skein inspect <key>` shows it. */
export interface ObjectDescription {
  key: string;
  type: string;
  /** Its type is a lattice type: `state` is then its value as the lattice describes it, `version`, `snapshots` and `deps`. */
  lattice: boolean;
  /**
   * Its state as plain data: the instance's own fields, with class instances, Maps and Sets made
   * plain, long arrays and typed arrays cut to their first items, and cycles marked.
   */
  state: unknown;
  /** Calls parked on it now; on a lattice object, each is a client's cache subscribed to it. */
  parkedCalls: number;
}

/** Reply status: the value is a result. */
export const OK = 0;
/** Reply status: the value is a {@link WireError}. */
export const FAILED = 1;
/**
 * Reply status: this node does not own the call's object (or not yet: a handover is under way);
 * the value is its {@link Topology}. The call was not applied; the client routes it again.
 */
export const MOVED = 2;

/** An error as it travels: `[code, name, message, stack?]`. */
export type WireError = [code: string, name: string, message: string, stack?: string];

/**
 * A reply. `id` 0 is a notice about the connection itself (a frame that could not be read), not
 * an answer to any request.
 */
export type Reply =
  | [id: number, status: typeof OK, value: unknown]
  | [id: number, status: typeof FAILED, error: WireError]
  | [id: number, status: typeof MOVED, topology: Topology];

/** Code of the internal reply that asks the client to resend a call with its init args. */
export const NO_OBJECT = 'ENO_OBJECT';
