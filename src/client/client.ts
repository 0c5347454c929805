import { randomBytes } from 'node:crypto';
import type tls from 'node:tls';
import { Placement } from '../cluster/placement.ts';
import { ConnectionClosedError } from '../errors/connection-closed-error.ts';
import { ProtocolError } from '../errors/protocol-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import type { SkeinError } from '../errors/skein-error.ts';
import { EncodedMessage } from '../protocol/frame-batch.ts';
import { NO_OBJECT, Op, type CallRequest, type NodeInfo, type ObjectDescription, type Reply, type Topology } from '../protocol/messages.ts';
import { Connection, encodeRequest, type Fallback, type Outgoing, type Resend } from './connection.ts';
import { parseEndpoints, type Endpoint } from '../protocol/endpoint.ts';
import { handleFor } from './handle-registry.ts';
import { again, DEFAULT_RETRY_WINDOW_MS, Retry, retryWindowFromEnv, type RetryHost } from './retry.ts';
import { LatticeCache, type CacheOptions, type CacheStats } from './lattice-cache.ts';

/**
 * What a call needs to know about the object it targets. Handles implement it. `initSent` flips to
 * true when the init args have gone out once; later calls omit them, and the node asks for them
 * again (`ENO_OBJECT`) only if the object has vanished meanwhile.
 */
export interface CallTarget {
  readonly type: string;
  readonly key: string;
  /** Constructor args for lazy creation. */
  readonly init: readonly unknown[];
  /** Replace an existing object on the first call. */
  readonly forceNew: boolean;
  /** @internal Whether the init args were sent (the client's bookkeeping, as on `SharedObject`). */
  initSent: boolean;
}

/** How to reach a DSO node, and how the client's cache of lattice objects behaves. */
export interface ClientOptions extends CacheOptions {
  /**
   * `skein://host:port` (or `skeins://` for TLS); several seeds comma-separated. Anything else makes
   * the constructor throw an `AddressError`.
   */
  url: string;
  /** The node's token, if it requires one. */
  token?: string;
  /** Extra TLS options for `skeins://` (e.g. `{ ca }` for a private certificate authority). */
  tls?: tls.ConnectionOptions;
  /** Builds the value a decoded object reference becomes; default: a live handle on this client. */
  refs?: (type: string, key: string, client: Client) => unknown;
  /** Receives notices about the connection the node could not attach to a call. */
  onNotice?: (err: SkeinError) => void;
  /**
   * How long (ms) a call whose connection was lost, or whose object is moving, keeps being sent
   * again (to the object's owner, as the cluster now places it) before it fails with
   * `ConnectionClosedError`; default `SKEIN_RETRY_WINDOW_MS`, else 10 000. Resending is safe:
   * nodes answer a call they have already applied from the session's kept replies. 0 fails such
   * calls at once. The window opens only once the client has reached its DSO: until a node has
   * welcomed it, a connection that fails (refused, unknown host, refused token) fails its calls at
   * once.
   */
  retryWindowMs?: number;
  /**
   * Make the error of a failed call show the frames of the code that awaited it (V8's async stack
   * trace, taken only when the call fails), instead of the socket handler's, and a `RemoteError`
   * name the method and object that threw (`origin`). Default: on when `SKEIN_CALL_SITES=1`. Off
   * by default because it costs every call an extra promise: about 0.3 µs of CPU, 15% of the
   * throughput of a client with many calls in flight (`npm run bench -- call-sites`).
   */
  callSites?: boolean;
}

/**
 * A client of the DSO: one session, with a connection to each member it talks to. A call goes
 * straight to the member that owns its object (the client learns the cluster's topology from the
 * first node it reaches and again whenever a node answers that an object moved). A call whose
 * connection is lost, or whose object is moving, is sent again with the same request id for up
 * to `retryWindowMs` (see `retry.ts`; a client that never reached a node fails at once): the
 * nodes remember the replies of the session's calls, so a call applied before the loss is
 * answered, not applied twice. Leases (permits, locks) belong to the session
 * and survive reconnects; `close()` ends the session.
 */
export class Client {
  /** The seeds this client connects to. */
  readonly endpoints: readonly Endpoint[];
  /** This client's session id, drawn at random; leases and kept replies belong to it. */
  readonly sessionId = randomBytes(12).toString('base64url');
  private seed: Connection | undefined;
  private readonly members = new Map<string, Connection>();
  private topo: Topology | undefined;
  private placement: Placement | undefined;
  private lastId = 0;
  private readonly nextId = (): number => ++this.lastId;
  private isClosed = false;
  private hasReached = false;
  private refreshing: Promise<void> | undefined;
  readonly retryWindowMs: number;
  /** Whether failed calls show their callers' frames (see {@link ClientOptions.callSites}). */
  readonly callSites: boolean;
  #lattices: LatticeCache | undefined;

  constructor(private readonly opts: ClientOptions) {
    this.endpoints = parseEndpoints(opts.url);
    this.retryWindowMs = opts.retryWindowMs ?? retryWindowFromEnv() ?? DEFAULT_RETRY_WINDOW_MS;
    if (!(this.retryWindowMs >= 0)) throw new RangeError('retryWindowMs must be >= 0');
    this.callSites = opts.callSites ?? callSitesFromEnv();
  }

  /** The address this client was given (one or more seeds). */
  get url(): string {
    return this.opts.url;
  }

  /** The token this client presents, if any. */
  get token(): string | undefined {
    return this.opts.token;
  }

  /** The cluster as this client last learned it (undefined before the first connection). */
  get topology(): Topology | undefined {
    return this.topo;
  }

  private readonly watchers = new Set<() => void>();

  /**
   * Resolves with the topology once it satisfies `test` (nodes announce every membership change
   * to their clients); rejects with a `TimeoutError` after `timeoutMs` (default 30 s).
   */
  async topologyWhere(test: (t: Topology) => boolean, timeoutMs = 30_000): Promise<Topology> {
    await this.connection().ready;
    if (this.topo && test(this.topo)) return this.topo;
    return new Promise<Topology>((resolve, reject) => {
      const check = (): void => {
        if (!this.topo || !test(this.topo)) return;
        this.watchers.delete(check);
        clearTimeout(timer);
        resolve(this.topo);
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new TimeoutError(`the cluster's topology did not reach the expected state within ${timeoutMs} ms; it is ${JSON.stringify(this.topo)}`));
      }, timeoutMs);
      this.watchers.add(check);
    });
  }

  /** Opens the connection now rather than at the first call; rejects if the handshake fails. */
  async ready(): Promise<void> {
    await this.connection().ready;
  }

  /** This client's session id (leases belong to it); resolves once a node has accepted it. */
  async session(): Promise<string> {
    return (await this.connection().ready).session;
  }

  /**
   * Calls `method(...args)` on the object `target` names. `timeoutMs` bounds a call that blocks on
   * the node.
   */
  call(target: CallTarget, method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
    if (this.isClosed) return Promise.reject(new ConnectionClosedError('the client was closed'));
    const first = !target.initSent;
    target.initSent = true;
    return this.send(callMessage(target, method, args, first, timeoutMs), new ResendWithInit(this, target, method, args, timeoutMs), target.key);
  }

  /** @internal Sends `msg` (a call) to the owner of `key`, resent as needed (see {@link Client}). */
  send(msg: Outgoing, fallback: Fallback | undefined, key: string): Promise<unknown> {
    const encoded = encodeRequest(msg, this.nextId());
    if (encoded instanceof ProtocolError) return Promise.reject(encoded);
    return this.route(key).send(encoded, fallback, key);
  }

  /** @internal The connection to the member that owns `key`, as far as this client knows. */
  route(key: string): Connection {
    if (!this.placement) return this.connection();
    return this.member(this.placement.primary(key));
  }

  /** @internal Adopts `topology` if it is newer than the one this client has. */
  adopt(topology: Topology | undefined): boolean {
    if (!topology || !Array.isArray(topology.members) || topology.members.length === 0) return false;
    if (this.topo && topology.epoch <= this.topo.epoch) return false;
    this.topo = topology;
    this.placement = topology.members.length > 1 ? new Placement(topology.members) : undefined;
    for (const w of [...this.watchers]) w();
    for (const [url, conn] of this.members) {
      if (topology.members.includes(url)) continue;
      conn.close('the member left the cluster');
      this.members.delete(url);
    }
    // A session lives on while it has a connection to a member: keep one to each, so leases taken
    // on one member survive its objects moving to another.
    if (this.placement) for (const url of topology.members) void this.member(url).ready.catch(() => undefined);
    return true;
  }

  /**
   * @internal Learns the topology again from any member or seed that answers; resolves when one
   * did (or none could be reached).
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.askTopology().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async askTopology(): Promise<void> {
    // Everyone at once, adopting the newest answer: a member that was paused or cut off still
    // answers with the view it last had, and must not hold the client on it.
    // A paused member never answers: the refresh ends at the first newer view, or when every
    // member has answered or failed, or after a second at most.
    const candidates = [...new Set([...(this.topo?.members ?? []), this.opts.url])];
    let newer!: () => void;
    const adopted = new Promise<void>((resolve) => (newer = resolve));
    let timer: NodeJS.Timeout | undefined;
    const asked = Promise.all(
      candidates.map(async (url) => {
        if (this.isClosed) return;
        const conn = url === this.opts.url ? this.connection() : this.member(url);
        try {
          if (this.adopt((await conn.request([Op.Topology, 0])) as Topology)) newer();
        } catch {
          // unreachable: the others answer
        }
      }),
    );
    await Promise.race([asked, adopted, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
  }

  /** @internal Whether the client was closed. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** @internal Whether a node of the DSO has ever welcomed this client (until then nothing is retried). */
  get reached(): boolean {
    return this.hasReached;
  }

  /** Destroys the object at `key`; resolves to whether one existed. Parked calls on it fail. */
  async destroy(key: string): Promise<boolean> {
    return (await this.send([Op.Destroy, 0, key], undefined, key)) as boolean;
  }

  /** Keys of the objects whose key starts with `prefix`, sorted (gathered from every member). */
  keys(prefix = ''): Promise<string[]> {
    return again(this, async () => {
      if (!this.topo) await this.connection().ready;
      if (!this.placement) return (await this.connection().request([Op.Keys, 0, prefix])) as string[];
      const all = await Promise.all(this.topo!.members.map((url) => this.member(url).request([Op.Keys, 0, prefix]) as Promise<string[]>));
      return [...new Set(all.flat())].sort();
    });
  }

  /** What the node tells about itself: its members, sessions and objects per type. */
  info(): Promise<NodeInfo> {
    return again(this, async () => (await this.connection().request([Op.Info, 0])) as NodeInfo);
  }

  /** What each member tells about itself, in member order. */
  infoAll(): Promise<NodeInfo[]> {
    return again(this, async () => {
      if (!this.topo) await this.connection().ready;
      if (!this.placement) return [(await this.connection().request([Op.Info, 0])) as NodeInfo];
      return Promise.all(this.topo!.members.map((url) => this.member(url).request([Op.Info, 0]) as Promise<NodeInfo>));
    });
  }

  /** The object at `key` as plain data with its type and parked calls, or null if there is none. */
  async describe(key: string): Promise<ObjectDescription | null> {
    if (typeof key !== 'string') throw new TypeError('describe takes a string key');
    return again(this, async () => {
      if (!this.topo) await this.connection().ready;
      return (await this.route(key).request([Op.Describe, 0, key])) as ObjectDescription | null;
    });
  }

  /**
   * @internal The client's cache of lattice objects (made at first use): the one cache of the
   * process when this is its default client.
   */
  get lattices(): LatticeCache {
    this.#lattices ??= new LatticeCache(this, this.opts);
    return this.#lattices;
  }

  /**
   * Resolves once every write to a lattice object made through this client so far has reached its
   * node; rejects with the error of a write that could not be made. A thread's result waits for
   * its default client's writes this way; call it before reporting work done elsewhere.
   */
  async flushWrites(): Promise<void> {
    await this.#lattices?.flush();
  }

  /** What the client's cache of lattice objects holds (zeros when it has none). */
  cacheStats(): CacheStats {
    return this.#lattices?.stats() ?? { keys: 0, bytes: 0, maxBytes: 0, hits: 0, misses: 0, writes: 0, unflushed: 0, pushes: 0, evictions: 0 };
  }

  /** One round trip to a node. */
  async ping(): Promise<void> {
    await again(this, () => this.connection().request([Op.Ping, 0]));
  }

  /**
   * Sends the writes to lattice objects still in its cache, ends the session (its leases are
   * returned at once) and closes the connections. Other calls still in flight fail with
   * `ConnectionClosedError`. Rejects, after closing, if a write could not be made.
   */
  async close(): Promise<void> {
    if (this.isClosed) return;
    let failure: unknown;
    if (this.#lattices) await this.#lattices.close().catch((err: unknown) => (failure = err));
    this.isClosed = true;
    this.seed?.bye();
    this.seed = undefined;
    for (const conn of this.members.values()) conn.bye();
    this.members.clear();
    if (failure !== undefined) throw failure;
  }

  private options(endpoints: Endpoint[]) {
    return {
      endpoints,
      token: this.opts.token,
      tls: this.opts.tls,
      refs: (type: string, key: string) => (this.opts.refs ?? handleFor)(type, key, this),
      onNotice: this.opts.onNotice ?? (() => undefined),
      session: this.sessionId,
      nextId: this.nextId,
      onTopology: (topology: Topology) => void this.adopt(topology),
      resender: (encoded: EncodedMessage, fallback: Fallback | undefined, key: string) => new Retry(this, encoded, fallback, key),
      orphan: (reply: Reply) => {
        if (this.seed?.settle(reply)) return;
        for (const conn of this.members.values()) if (conn.settle(reply)) return;
      },
    };
  }

  /** The connection to the seeds (the first that answers); reopened if lost. */
  private connection(): Connection {
    if (this.isClosed) throw new ConnectionClosedError('the client was closed');
    if (!this.seed || this.seed.closed) {
      const conn = new Connection(this.options([...this.endpoints]));
      this.seed = conn;
      conn.ready.then(
        (welcome) => {
          this.hasReached = true;
          // One connection per member: a second one with the same session would take its replies.
          const known = this.members.get(welcome.node);
          if (!known || known.closed) this.members.set(welcome.node, conn);
          this.adopt(welcome.topology);
        },
        () => undefined,
      );
    }
    return this.seed;
  }

  /** The connection to one member, opened on first use and reopened if lost. */
  private member(url: string): Connection {
    if (this.isClosed) throw new ConnectionClosedError('the client was closed');
    let conn = this.members.get(url);
    if (!conn || conn.closed) {
      conn = new Connection(this.options(parseEndpoints(url)));
      this.members.set(url, conn);
    }
    return conn;
  }
}

/** `SKEIN_CALL_SITES`, the default of {@link ClientOptions.callSites}: `1` on; unset, empty or `0` off. */
function callSitesFromEnv(): boolean {
  const raw = process.env.SKEIN_CALL_SITES;
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new TypeError(`SKEIN_CALL_SITES must be 1 (on) or 0 (off), got '${raw}'`);
}

/**
 * The answer to `ENO_OBJECT`: the call again, with the handle's init args (never `forceNew`: the
 * object is missing, there is nothing to replace). A class rather than a closure per call: tsx's
 * `keepNames` makes each named closure cost a `defineProperty`.
 */
class ResendWithInit implements Fallback {
  readonly code = NO_OBJECT;
  constructor(
    private readonly client: Client,
    private readonly target: CallTarget,
    private readonly method: string,
    private readonly args: unknown[],
    private readonly timeoutMs: number | undefined,
  ) {}
  retry(): Promise<unknown> {
    return this.client.send(callMessage(this.target, this.method, this.args, true, this.timeoutMs, false), undefined, this.target.key);
  }
}

function callMessage(
  target: CallTarget,
  method: string,
  args: unknown[],
  withInit: boolean,
  timeoutMs: number | undefined,
  forceNew = target.forceNew,
): CallRequest {
  // Built whole: growing a tuple with push reallocates it on every call.
  if (!withInit && timeoutMs === undefined) return [Op.Call, 0, target.type, target.key, method, args];
  return [Op.Call, 0, target.type, target.key, method, args, withInit ? target.init : null, withInit && forceNew, timeoutMs ?? null];
}
