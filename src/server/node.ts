import net from 'node:net';
import tls from 'node:tls';
import type { Level } from 'pino';
import { BUILTIN_TYPES } from '../objects/builtins.ts';
import { TypeRegistry, type ObjectType } from '../objects/object-type.ts';
import { registeredUserType } from '../objects/user-types.ts';
import { DEFAULT_MAX_FRAME_BYTES, MIN_MAX_FRAME_BYTES } from '../protocol/frame.ts';
import { Cluster } from './cluster.ts';
import { NodeConnection } from './connection.ts';
import { Journal } from './journal.ts';
import { createLogger, type Logger } from './logger.ts';
import { NodeMetrics } from './metrics.ts';
import { NodeCore } from './node-core.ts';
import { ObjectTable } from './object-table.ts';
import { Traffic } from './traffic.ts';

/** How to start a DSO node. */
export interface NodeOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. Use `0.0.0.0` to serve other machines. */
  host?: string;
  /**
   * The host name or address in this node's URL, as clients and other members reach it; default
   * `host` (set it when binding `0.0.0.0`).
   */
  advertise?: string;
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
  /**
   * etcd client URLs (`http://host:port`, comma-separated or an array): the node becomes a member
   * of the cluster `cluster` kept there, once `startNode` resolves. Without it the node is alone
   * and needs no etcd.
   */
  etcd?: string | readonly string[];
  /** The cluster's name in etcd (its keys are under `/skein/<cluster>/`); default `default`. */
  cluster?: string;
  /**
   * TTL of this member's etcd lease (ms, whole seconds in etcd, at least 2 s there); default 2000.
   * A member that cannot renew it stops serving before it runs out; its objects fail over once
   * it has: about this long plus a moment without answers.
   */
  leaseTtlMs?: number;
  /** Copies of each object in the cluster, owner included; default 1. Every member must use the same (the first one's wins; others refuse to start). */
  rf?: number;
  /**
   * Directory for the journal (an append-only log of applied changes plus snapshots). A node
   * started on it again recovers every change it acknowledged; without it, state lives in memory
   * only.
   */
  dataDir?: string;
  /** fdatasync the journal before every reply (survives power loss, not just a crash); default false. */
  fsync?: boolean;
  /**
   * A session whose client has lost its connection is ended (its leases, such as locks and
   * permits, returned) after this many ms without it coming back; default 10 000. A client that
   * closes says goodbye and ends its session at once.
   */
  sessionTtlMs?: number;
  /** Take a snapshot once the journal's log exceeds this many bytes; default 64 MiB. */
  snapshotBytes?: number;
  /**
   * Serve Prometheus metrics at `GET /metrics` on this HTTP port (0 picks a free one); default:
   * no metrics server. A port that cannot be bound fails the start with a `ListenError`.
   */
  metricsPort?: number;
  /** Interface the metrics port binds; default `host`. Needs `metricsPort`. */
  metricsHost?: string;
}

/** A running DSO node. */
export interface DsoNode {
  /** Where clients connect: `skein://host:port`, or `skeins://` with TLS. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** The bound host. */
  readonly host: string;
  /** Where Prometheus scrapes this node (`http://host:port/metrics`), when it serves metrics. */
  readonly metricsUrl: string | undefined;
  /** Number of live objects (backup copies included). */
  objectCount(): number;
  /** The cluster's members as this node knows them (itself alone when not in a cluster). */
  members(): readonly string[];
  /**
   * Stops: a member of a cluster first hands its objects over to the other members (their calls
   * parked here are sent again there by their clients) and leaves; then the node stops accepting,
   * rejects parked calls with `ConnectionClosedError` (they were not applied), sends every reply
   * already produced, and closes all connections. Resolves when done.
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
  const rf = opts.rf ?? 1;
  if (!Number.isInteger(rf) || rf < 1 || rf > 16) throw new RangeError(`rf must be an integer from 1 to 16, got ${String(opts.rf)}`);
  const sessionTtlMs = opts.sessionTtlMs ?? 10_000;
  if (!(sessionTtlMs > 0)) throw new RangeError('sessionTtlMs must be > 0');
  const etcd = opts.etcd === undefined ? [] : (typeof opts.etcd === 'string' ? opts.etcd.split(',') : [...opts.etcd]).map((e) => e.trim()).filter((e) => e !== '');
  const clusterName = opts.cluster ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(clusterName)) throw new RangeError(`a cluster name is 1 to 63 letters, digits, '.', '_' or '-', got '${clusterName}'`);
  const leaseTtlMs = opts.leaseTtlMs ?? 2000;
  if (!Number.isFinite(leaseTtlMs) || leaseTtlMs < 1000 || leaseTtlMs > 3_600_000) throw new RangeError(`leaseTtlMs must be from 1000 to 3600000, got ${String(opts.leaseTtlMs)}`);
  if (opts.metricsPort !== undefined && !(Number.isInteger(opts.metricsPort) && opts.metricsPort >= 0 && opts.metricsPort <= 65535)) {
    throw new RangeError(`metricsPort must be an integer from 0 to 65535, got ${String(opts.metricsPort)}`);
  }
  if (opts.metricsHost !== undefined && opts.metricsPort === undefined) throw new RangeError('metricsHost needs metricsPort');
  const traffic = opts.metricsPort !== undefined ? new Traffic() : undefined;
  let core: NodeCore | undefined;
  const table = new ObjectTable(types, (key, session, id) => core?.expired(key, session, id) ?? true);
  const connections = new Set<NodeConnection>();
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
  if (!(handshakeTimeoutMs > 0)) throw new RangeError('handshakeTimeoutMs must be > 0');
  let cluster: Cluster | undefined;
  const connOpts = {
    get core() {
      return core!;
    },
    token: opts.token,
    maxFrameBytes,
    handshakeTimeoutMs,
    log,
    acceptPeer: (from: string, incarnation: string, write: (f: Buffer) => void, end: () => void) => {
      if (!cluster) throw new Error('not in a cluster');
      return cluster.acceptPeer(from, incarnation, write, end);
    },
  };
  const accept = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    traffic?.track(socket);
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
  const shown = opts.advertise ?? host;
  const url = `${opts.tls ? 'skeins' : 'skein'}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  core = new NodeCore({ table, self: url, rf, sessionTtlMs, log });
  let journal: Journal | undefined;
  let metrics: NodeMetrics | undefined;
  try {
    if (opts.metricsPort !== undefined) {
      metrics = await NodeMetrics.start({
        host: opts.metricsHost ?? host,
        port: opts.metricsPort,
        stats: core.stats,
        traffic: traffic!,
        gauges: () => ({
          ...core!.gauges(),
          journalLag: journal?.uncommitted ?? 0,
          replicationLag: cluster?.replicationLag() ?? [],
        }),
      });
    }
    if (opts.dataDir !== undefined) {
      const opened = Journal.open({ dir: opts.dataDir, fsync: opts.fsync ?? false });
      journal = opened.journal;
      let applied = 0;
      for (const item of opened.recovered.snapshot) core.apply(item), applied++;
      for (const record of opened.recovered.records) core.apply(record), applied++;
      log.info({ dataDir: opts.dataDir, applied, objects: table.size }, 'recovered from the data directory');
      const snapshotBytes = opts.snapshotBytes ?? 64 * 1024 * 1024;
      const j = journal;
      // After a snapshot that failed, the next try waits for the log to grow as much again.
      let nextTry = snapshotBytes;
      core.useJournal(j, () => {
        if (j.logBytes <= nextTry) return;
        try {
          j.snapshot(core!.snapshotItems());
          nextTry = snapshotBytes;
        } catch (err) {
          nextTry = j.logBytes + snapshotBytes;
          log.error({ err }, `snapshot skipped, the journal's log keeps growing (recovery replays it): ${(err as Error).message}`);
        }
      });
    }
    if (etcd.length > 0) {
      cluster = new Cluster(core, {
        self: url,
        etcd,
        cluster: clusterName,
        rf,
        leaseTtlMs,
        restores: journal !== undefined,
        token: opts.token,
        log,
        journal,
        dropConnections: () => {
          for (const c of connections) c.drop();
        },
      });
      await cluster.start();
    }
  } catch (err) {
    cluster?.stop();
    await metrics?.close();
    journal?.close();
    core.close();
    server.close();
    throw err;
  }

  return {
    url,
    port,
    host,
    metricsUrl: metrics?.url,
    objectCount: () => table.size,
    members: () => core!.topology.members,
    async close() {
      if (closing) return;
      closing = true;
      // A member of a cluster hands its objects over before it goes.
      await cluster?.leave().catch((err: unknown) => log.warn({ err }, 'leaving the cluster failed'));
      core!.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      table.failAllParked('the node is shutting down');
      // Let the rejections just produced reach their connections' outboxes before ending them.
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (const c of connections) c.end();
      await stopped;
      await metrics?.close();
      journal?.close();
      log.info({ url }, 'DSO node stopped');
    },
  };
}
