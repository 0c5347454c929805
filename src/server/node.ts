import net from 'node:net';
import tls from 'node:tls';
import type { Level } from 'pino';
import { BUILTIN_TYPES } from '../objects/builtins.ts';
import { TypeRegistry, type ObjectType } from '../objects/object-type.ts';
import { registeredUserType } from '../objects/user-types.ts';
import { DEFAULT_MAX_FRAME_BYTES, MIN_MAX_FRAME_BYTES } from '../protocol/frame.ts';
import { PROTOCOL_VERSION, type NodeInfo } from '../protocol/messages.ts';
import { NodeConnection } from './connection.ts';
import { createLogger, type Logger } from './logger.ts';
import { ObjectTable } from './object-table.ts';

/** How to start a DSO node. */
export interface NodeOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. Use `0.0.0.0` to serve other machines. */
  host?: string;
  /** When set, clients must present this token in the handshake. */
  token?: string;
  /** Largest frame accepted or sent, in bytes; default 16 MiB, at least 1024. */
  maxFrameBytes?: number;
  /** Close connections that have not completed the handshake within this many ms; default 10 s. */
  handshakeTimeoutMs?: number;
  /** PEM certificate and key: serve over TLS (`skeins://` URLs). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * User-defined object types to serve besides the built-ins: types or the classes `sharedClass`
   * returned; or `'registered'` for every class registered in this process, now or later (what
   * an embedded node wants).
   */
  objects?: Iterable<ObjectType | { readonly objectType: ObjectType }> | 'registered';
  /** Log level (pino); default `SKEIN_LOG_LEVEL` or `warn`. */
  logLevel?: Level | 'silent';
  /** A pino logger to use instead of creating one. */
  logger?: Logger;
}

/** A running DSO node. */
export interface DsoNode {
  /** Where clients connect: `skein://host:port`, or `skeins://` with TLS. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** The bound host. */
  readonly host: string;
  /** Number of live objects. */
  objectCount(): number;
  /**
   * Stops accepting, rejects parked calls with `ConnectionClosedError` (they were not applied),
   * sends every reply already produced, then closes all connections. Resolves when done.
   */
  close(): Promise<void>;
}

/**
 * Starts a DSO node: the object table behind a TCP (or TLS) listener speaking the Skein protocol.
 * Resolves once it listens.
 */
export async function startNode(opts: NodeOptions = {}): Promise<DsoNode> {
  const log = opts.logger ?? createLogger(opts.logLevel, 'warn');
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < MIN_MAX_FRAME_BYTES) {
    throw new RangeError(`maxFrameBytes must be an integer >= ${MIN_MAX_FRAME_BYTES}`);
  }
  const objects = opts.objects ?? [];
  const types = new TypeRegistry(BUILTIN_TYPES, objects === 'registered' ? registeredUserType : undefined);
  if (objects !== 'registered') for (const t of objects) types.add('objectType' in t ? t.objectType : t);
  const table = new ObjectTable(types);
  const connections = new Set<NodeConnection>();
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
  if (!(handshakeTimeoutMs > 0)) throw new RangeError('handshakeTimeoutMs must be > 0');
  const started = Date.now();
  let url = '';
  const info = (): NodeInfo => ({
    url,
    protocol: PROTOCOL_VERSION,
    uptimeMs: Date.now() - started,
    sessions: connections.size,
    ...table.stats(),
    members: [{ url, self: true }],
  });
  const connOpts = { table, token: opts.token, maxFrameBytes, handshakeTimeoutMs, log, info };
  const accept = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    connections.add(new NodeConnection(socket, connOpts, (c) => connections.delete(c)));
  };
  const server = opts.tls
    ? tls.createServer({ cert: opts.tls.cert, key: opts.tls.key }, accept)
    : net.createServer(accept);
  server.on('tlsClientError', (err) => log.debug({ err }, 'TLS handshake failed'));
  let closing = false;

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'listener error'));
  const port = (server.address() as net.AddressInfo).port;
  url = `${opts.tls ? 'skeins' : 'skein'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, types: types.names().length, tls: !!opts.tls }, `DSO node listening on ${url}`);

  return {
    url,
    port,
    host,
    objectCount: () => table.size,
    async close() {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      table.failAllParked('the node is shutting down');
      // Let the rejections just produced reach their connections' outboxes before ending them.
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (const c of connections) c.end();
      await stopped;
      log.info({ url }, 'DSO node stopped');
    },
  };
}
