import type tls from 'node:tls';
import { ConnectionClosedError } from '../errors/connection-closed-error.ts';
import type { SkeinError } from '../errors/skein-error.ts';
import { NO_OBJECT, Op, type NodeInfo, type ObjectDescription } from '../protocol/messages.ts';
import { Connection, type Fallback, type Outgoing } from './connection.ts';
import { parseEndpoints, type Endpoint } from './endpoint.ts';
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
}

/**
 * A connection to the DSO. Calls share one connection, opened on first use and reopened by the
 * first call after it is lost (calls in flight when it was lost fail with
 * `ConnectionClosedError`; they may or may not have been applied).
 */
export class Client {
  /** The seeds this client connects to. */
  readonly endpoints: readonly Endpoint[];
  private conn: Connection | undefined;
  private isClosed = false;

  constructor(private readonly opts: ClientOptions) {
    this.endpoints = parseEndpoints(opts.url);
  }

  /** The address this client was given (one or more seeds). */
  get url(): string {
    return this.opts.url;
  }

  /** The token this client presents, if any. */
  get token(): string | undefined {
    return this.opts.token;
  }

  /** Opens the connection now rather than at the first call; rejects if the handshake fails. */
  async ready(): Promise<void> {
    await this.connection().ready;
  }

  /** Session id the node gave this client's current connection (leases belong to it). */
  async session(): Promise<string> {
    return (await this.connection().ready).session;
  }

  /**
   * Calls `method(...args)` on the object `target` names. `timeoutMs` bounds a call that blocks on
   * the node.
   */
  call(target: CallTarget, method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
    if (this.isClosed) return Promise.reject(new ConnectionClosedError('the client was closed'));
    const conn = this.connection();
    const first = !target.initSent;
    target.initSent = true;
    return conn.request(callMessage(target, method, args, first, timeoutMs), new ResendWithInit(this, target, method, args, timeoutMs));
  }

  /** @internal Sends `msg` on the current connection (reopened if it was lost). */
  resend(msg: Outgoing): Promise<unknown> {
    return this.connection().request(msg);
  }

  /** Destroys the object at `key`; resolves to whether one existed. Parked calls on it fail. */
  async destroy(key: string): Promise<boolean> {
    return (await this.connection().request([Op.Destroy, 0, key])) as boolean;
  }

  /** Keys of the objects whose key starts with `prefix`, sorted. */
  async keys(prefix = ''): Promise<string[]> {
    return (await this.connection().request([Op.Keys, 0, prefix])) as string[];
  }

  /** What the node tells about itself: its members, sessions and objects per type. */
  async info(): Promise<NodeInfo> {
    return (await this.connection().request([Op.Info, 0])) as NodeInfo;
  }

  /** The object at `key` as plain data with its type and parked calls, or null if there is none. */
  async describe(key: string): Promise<ObjectDescription | null> {
    if (typeof key !== 'string') throw new TypeError('describe takes a string key');
    return (await this.connection().request([Op.Describe, 0, key])) as ObjectDescription | null;
  }

  /** One round trip to the node. */
  async ping(): Promise<void> {
    await this.connection().request([Op.Ping, 0]);
  }

  /** Closes the connection. Calls still in flight fail with `ConnectionClosedError`. */
  async close(): Promise<void> {
    this.isClosed = true;
    this.conn?.close();
    this.conn = undefined;
  }

  private connection(): Connection {
    if (this.isClosed) throw new ConnectionClosedError('the client was closed');
    if (!this.conn || this.conn.closed) {
      this.conn = new Connection({
        endpoints: [...this.endpoints],
        token: this.opts.token,
        tls: this.opts.tls,
        refs: (type, key) => (this.opts.refs ?? handleFor)(type, key, this),
        onNotice: this.opts.onNotice ?? (() => undefined),
      });
    }
    return this.conn;
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
    return this.client.resend(callMessage(this.target, this.method, this.args, true, this.timeoutMs, false));
  }
}

function callMessage(
  target: CallTarget,
  method: string,
  args: unknown[],
  withInit: boolean,
  timeoutMs: number | undefined,
  forceNew = target.forceNew,
): Outgoing {
  // Built whole: growing a tuple with push reallocates it on every call.
  if (!withInit && timeoutMs === undefined) return [Op.Call, 0, target.type, target.key, method, args];
  return [Op.Call, 0, target.type, target.key, method, args, withInit ? target.init : null, withInit && forceNew, timeoutMs ?? null];
}
