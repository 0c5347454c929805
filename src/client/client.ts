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

/** How to reach a DSO node. */
export interface ClientOptions {
  /** `skein://host:port` (or `skeins://` for TLS); several seeds comma-separated. */
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
   * calls at once.
   */
  retryWindowMs?: number;
}

/**
 * A client of the DSO: one session, with a connection to each member it talks to. A call goes
 * straight to the member that owns its object (the client learns the cluster's topology from the
 * first node it reaches and again whenever a node answers that an object moved). A call whose
 * connection is lost, or whose object is moving, is sent again with the same request id for up
 * to `retryWindowMs`: the nodes remember the replies of the session's calls, so a call applied
 * before the loss is answered, not applied twice. Leases (permits, locks) belong to the session
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
  private refreshing: Promise<void> | undefined;
  readonly retryWindowMs: number;

  constructor(private readonly opts: ClientOptions) {
    this.endpoints = parseEndpoints(opts.url);
    this.retryWindowMs = opts.retryWindowMs ?? retryWindowFromEnv() ?? 10_000;
    if (!(this.retryWindowMs >= 0)) throw new RangeError('retryWindowMs must be >= 0');
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

  /** Destroys the object at `key`; resolves to whether one existed. Parked calls on it fail. */
  async destroy(key: string): Promise<boolean> {
    return (await this.send([Op.Destroy, 0, key], undefined, key)) as boolean;
  }

  /** Keys of the objects whose key starts with `prefix`, sorted (gathered from every member). */
  keys(prefix = ''): Promise<string[]> {
    return this.again(async () => {
      if (!this.topo) await this.connection().ready;
      if (!this.placement) return (await this.connection().request([Op.Keys, 0, prefix])) as string[];
      const all = await Promise.all(this.topo!.members.map((url) => this.member(url).request([Op.Keys, 0, prefix]) as Promise<string[]>));
      return [...new Set(all.flat())].sort();
    });
  }

  /** What the node tells about itself: its members, sessions and objects per type. */
  info(): Promise<NodeInfo> {
    return this.again(async () => (await this.connection().request([Op.Info, 0])) as NodeInfo);
  }

  /** What each member tells about itself, in member order. */
  infoAll(): Promise<NodeInfo[]> {
    return this.again(async () => {
      if (!this.topo) await this.connection().ready;
      if (!this.placement) return [(await this.connection().request([Op.Info, 0])) as NodeInfo];
      return Promise.all(this.topo!.members.map((url) => this.member(url).request([Op.Info, 0]) as Promise<NodeInfo>));
    });
  }

  /** The object at `key` as plain data with its type and parked calls, or null if there is none. */
  async describe(key: string): Promise<ObjectDescription | null> {
    if (typeof key !== 'string') throw new TypeError('describe takes a string key');
    return this.again(async () => {
      if (!this.topo) await this.connection().ready;
      return (await this.route(key).request([Op.Describe, 0, key])) as ObjectDescription | null;
    });
  }

  /** One round trip to a node. */
  async ping(): Promise<void> {
    await this.again(() => this.connection().request([Op.Ping, 0]));
  }

  /**
   * Runs a request that changes nothing, again (after learning the topology anew) while it fails
   * for a lost connection, within the retry window.
   */
  private async again<T>(request: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryWindowMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (err) {
        if (!(err instanceof ConnectionClosedError) || this.isClosed || Date.now() >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(10 * 2 ** attempt, 250)));
        await this.refresh();
      }
    }
  }

  /**
   * Ends the session (its leases are returned at once) and closes the connections. Calls still
   * in flight fail with `ConnectionClosedError`.
   */
  async close(): Promise<void> {
    this.isClosed = true;
    this.seed?.bye();
    this.seed = undefined;
    for (const conn of this.members.values()) conn.bye();
    this.members.clear();
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

/** `SKEIN_RETRY_WINDOW_MS`, the default of {@link ClientOptions.retryWindowMs} (cloud threads' clients too). */
function retryWindowFromEnv(): number | undefined {
  const raw = process.env.SKEIN_RETRY_WINDOW_MS;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new TypeError(`SKEIN_RETRY_WINDOW_MS must be a whole number of milliseconds, got '${raw}'`);
  return Number(raw);
}

/**
 * Sends a call again, with its id, until it is answered or the retry window closes: after a
 * MOVED (to the owner the new topology names) or a lost connection (once the topology is known
 * again). The first failure starts the window.
 */
class Retry implements Resend {
  private deadline = 0;
  private attempts = 0;
  constructor(
    private readonly client: Client,
    private readonly message: EncodedMessage,
    private readonly fallback: Fallback | undefined,
    private readonly key: string,
  ) {}

  async moved(topology: Topology): Promise<unknown> {
    this.start();
    if (!this.client.adopt(topology)) {
      // The node had no newer view to give (it is not serving, or not yet): ask the others.
      await this.pause(new ConnectionClosedError('the cluster did not settle on an owner for this object in time'));
      await this.client.refresh();
    }
    return this.again();
  }

  async lost(err: SkeinError): Promise<unknown> {
    if (this.client.closed || this.client.retryWindowMs === 0) throw err;
    this.start();
    await this.pause(err);
    await this.client.refresh();
    return this.again();
  }

  private start(): void {
    if (this.deadline === 0) this.deadline = Date.now() + this.client.retryWindowMs;
  }

  /** Waits a little more each attempt; throws `err` once the window has closed. */
  private async pause(err: SkeinError): Promise<void> {
    if (this.client.closed || Date.now() >= this.deadline) throw err;
    const ms = Math.min(10 * 2 ** this.attempts++, 250);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private again(): Promise<unknown> {
    if (this.client.closed) return Promise.reject(new ConnectionClosedError('the client was closed'));
    return this.client.route(this.key).send(this.message, this.fallback, this.key, this);
  }
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
