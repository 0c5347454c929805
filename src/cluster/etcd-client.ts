/**
 * A small etcd v3 client over etcd's JSON gateway (`/v3/...`, served by every etcd 3.4+ on its
 * client port) with the platform's `fetch`: key ranges, puts, transactions, leases and a watch.
 * It is what a DSO cluster needs of etcd and nothing more (see docs/architecture.md for why not
 * the `etcd3` package: gRPC, protobuf and a policy library for five calls).
 *
 * Keys and values are UTF-8 strings here (base64 on the wire, as the gateway wants). Revisions and
 * lease ids are 64-bit integers that JSON carries as strings: revisions stay well within 2^53 and
 * are numbers here; lease ids are kept as the gateway's decimal strings.
 */
import { EtcdError } from '../errors/etcd-error.ts';

/** One key-value pair as etcd stores it. */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the last write to the key (its modification revision). */
  modRevision: number;
  /** Revision at which the key was created. */
  createRevision: number;
  /** The lease the key is attached to, `'0'` if none. */
  lease: string;
}

/** A change seen by a {@link Watch}: a put (with the new pair) or a delete (with the key). */
export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
}

/** A condition of a transaction on one key (etcd's Compare). */
export type Compare =
  | { key: string; target: 'mod'; revision: number }
  | { key: string; target: 'create'; revision: number }
  | { key: string; target: 'value'; value: string };

/** An operation of a transaction. */
export type TxnOp =
  | { put: { key: string; value: string; lease?: string } }
  | { delete: { key: string; prefix?: boolean } };

/** A running watch; `close()` ends it. */
export interface Watch {
  close(): void;
  /** Settles when the watch ends: resolves on `close()`, rejects when the stream breaks. */
  readonly done: Promise<void>;
}

const enc = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const dec = (s: string | undefined): string => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));

/** The end of the range of keys that start with `prefix` (etcd's prefix convention). */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = bytes.subarray(0, i + 1);
      end[i]!++;
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

interface RawKv {
  key?: string;
  value?: string;
  mod_revision?: string;
  create_revision?: string;
  lease?: string;
}

function kvOf(raw: RawKv): KeyValue {
  return {
    key: dec(raw.key),
    value: dec(raw.value),
    modRevision: Number(raw.mod_revision ?? 0),
    createRevision: Number(raw.create_revision ?? 0),
    lease: raw.lease ?? '0',
  };
}

/** Options of an {@link EtcdClient}. */
export interface EtcdClientOptions {
  /** A request that takes longer fails with {@link EtcdError}; default 2000 ms. */
  timeoutMs?: number;
}

/**
 * A client of one etcd cluster given one or more endpoints (`http://host:port`): each request goes
 * to the endpoint that last answered, and to the next ones in turn when it cannot be reached.
 */
export class EtcdClient {
  private current = 0;
  private readonly timeoutMs: number;

  constructor(
    readonly endpoints: readonly string[],
    opts: EtcdClientOptions = {},
  ) {
    if (endpoints.length === 0) throw new RangeError('an etcd client needs at least one endpoint');
    for (const e of endpoints) {
      if (!/^https?:\/\/[^/]+\/?$/.test(e)) throw new RangeError(`an etcd endpoint is http://host:port or https://host:port, got '${e}'`);
    }
    this.endpoints = endpoints.map((e) => e.replace(/\/$/, ''));
    this.timeoutMs = opts.timeoutMs ?? 2000;
  }

  /** POSTs `body` to `path` of an endpoint that answers; throws {@link EtcdError} if none does. */
  private async post<T>(path: string, body: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    let last: unknown;
    for (let i = 0; i < this.endpoints.length; i++) {
      const at = (this.current + i) % this.endpoints.length;
      let res: Response;
      try {
        res = await fetch(`${this.endpoints[at]}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        last = err;
        continue;
      }
      this.current = at;
      const text = await res.text().catch((err: unknown) => {
        throw new EtcdError(`etcd at ${this.endpoints[at]} broke off its answer to ${path}`, { cause: err });
      });
      let json: { error?: string; message?: string } & T;
      try {
        json = JSON.parse(text);
      } catch {
        throw new EtcdError(`etcd at ${this.endpoints[at]} answered ${path} with ${res.status} and no JSON: ${text.slice(0, 200)}`);
      }
      if (!res.ok || json.error !== undefined) throw new EtcdError(`etcd ${path}: ${json.message ?? json.error ?? res.status}`);
      return json;
    }
    throw new EtcdError(`no etcd endpoint answered (${this.endpoints.join(', ')}): ${(last as Error)?.message ?? last}`, { cause: last });
  }

  /** The pairs at `key` (or every key starting with it, with `prefix`), and the store's revision. */
  async range(key: string, opts: { prefix?: boolean } = {}): Promise<{ kvs: KeyValue[]; revision: number }> {
    const body: Record<string, string> = { key: enc(key) };
    if (opts.prefix) body.range_end = prefixEnd(key);
    const res = await this.post<{ header: { revision: string }; kvs?: RawKv[] }>('/v3/kv/range', body);
    return { kvs: (res.kvs ?? []).map(kvOf), revision: Number(res.header.revision) };
  }

  /** Writes `value` at `key` (attached to `lease` if given); answers the new revision. */
  async put(key: string, value: string, lease?: string): Promise<number> {
    const res = await this.post<{ header: { revision: string } }>('/v3/kv/put', { key: enc(key), value: enc(value), ...(lease ? { lease } : {}) });
    return Number(res.header.revision);
  }

  /** Deletes `key` (or every key starting with it); answers the new revision. */
  async delete(key: string, opts: { prefix?: boolean } = {}): Promise<number> {
    const res = await this.post<{ header: { revision: string } }>('/v3/kv/deleterange', {
      key: enc(key),
      ...(opts.prefix ? { range_end: prefixEnd(key) } : {}),
    });
    return Number(res.header.revision);
  }

  /**
   * Runs `ops` if every comparison holds, else `otherwise`, atomically; answers whether the
   * comparisons held and the revision after it.
   */
  async txn(compare: readonly Compare[], ops: readonly TxnOp[], otherwise: readonly TxnOp[] = []): Promise<{ succeeded: boolean; revision: number }> {
    const cmp = compare.map((c) => {
      if (c.target === 'value') return { key: enc(c.key), target: 'VALUE', result: 'EQUAL', value: enc(c.value) };
      return c.target === 'mod'
        ? { key: enc(c.key), target: 'MOD', result: 'EQUAL', mod_revision: String(c.revision) }
        : { key: enc(c.key), target: 'CREATE', result: 'EQUAL', create_revision: String(c.revision) };
    });
    const op = (o: TxnOp): unknown =>
      'put' in o
        ? { request_put: { key: enc(o.put.key), value: enc(o.put.value), ...(o.put.lease ? { lease: o.put.lease } : {}) } }
        : { request_delete_range: { key: enc(o.delete.key), ...(o.delete.prefix ? { range_end: prefixEnd(o.delete.key) } : {}) } };
    const res = await this.post<{ header: { revision: string }; succeeded?: boolean }>('/v3/kv/txn', {
      compare: cmp,
      success: ops.map(op),
      failure: otherwise.map(op),
    });
    return { succeeded: res.succeeded === true, revision: Number(res.header.revision) };
  }

  /** Grants a lease of `ttlSeconds`; answers its id and the TTL etcd granted (it may raise it). */
  async grant(ttlSeconds: number): Promise<{ id: string; ttl: number }> {
    const res = await this.post<{ ID: string; TTL?: string }>('/v3/lease/grant', { TTL: String(ttlSeconds) });
    return { id: res.ID, ttl: Number(res.TTL ?? ttlSeconds) };
  }

  /**
   * Renews lease `id` once; answers its TTL in seconds from now, or 0 if the lease is gone
   * (expired or revoked).
   */
  async keepAlive(id: string, timeoutMs?: number): Promise<number> {
    const res = await this.post<{ result?: { TTL?: string } }>('/v3/lease/keepalive', { ID: id }, timeoutMs);
    return Number(res.result?.TTL ?? 0);
  }

  /** Revokes lease `id`: every key attached to it is deleted. A lease already gone is no error. */
  async revoke(id: string): Promise<void> {
    try {
      await this.post('/v3/lease/revoke', { ID: id });
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
    }
  }

  /**
   * Watches every key starting with `prefix` from revision `fromRevision` on: `onEvents` gets
   * each batch of changes, in revision order, with the revision they bring the store to. The watch
   * ends with an error (`done` rejects) if the stream breaks or etcd has compacted past
   * `fromRevision`; the caller then reads the range anew and watches again.
   */
  watch(prefix: string, fromRevision: number, onEvents: (events: WatchEvent[], revision: number) => void): Watch {
    const abort = new AbortController();
    const endpoint = this.endpoints[this.current]!;
    const done = (async () => {
      const res = await fetch(`${endpoint}/v3/watch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          create_request: { key: enc(prefix), range_end: prefixEnd(prefix), start_revision: String(fromRevision) },
        }),
        signal: abort.signal,
      });
      if (!res.ok || !res.body) throw new EtcdError(`etcd refused a watch: ${res.status}`);
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line === '') continue;
          const msg = JSON.parse(line) as {
            result?: {
              header?: { revision?: string };
              compact_revision?: string;
              canceled?: boolean;
              events?: Array<{ type?: string; kv: RawKv }>;
            };
            error?: { message?: string };
          };
          if (msg.error) throw new EtcdError(`etcd watch failed: ${msg.error.message ?? 'unknown error'}`);
          const r = msg.result;
          if (!r) continue;
          if (r.compact_revision && Number(r.compact_revision) > 0) throw new EtcdError(`etcd compacted past revision ${fromRevision}`);
          if (r.canceled) throw new EtcdError('etcd cancelled the watch');
          if (r.events && r.events.length > 0) {
            const events = r.events.map((e): WatchEvent => ({ type: e.type === 'DELETE' ? 'delete' : 'put', kv: kvOf(e.kv) }));
            onEvents(events, Number(r.header?.revision ?? 0));
          }
        }
      }
      if (!abort.signal.aborted) throw new EtcdError('the etcd watch stream ended');
    })().catch((err: unknown) => {
      if (abort.signal.aborted) return;
      throw err instanceof EtcdError ? err : new EtcdError(`the etcd watch broke: ${(err as Error).message}`, { cause: err });
    });
    return { close: () => abort.abort(), done };
  }
}
