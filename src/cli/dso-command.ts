import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Level } from 'pino';
import { registeredUserTypes } from '../objects/user-types.ts';
import { DEFAULT_PORT } from '../protocol/endpoint.ts';
import { MIN_MAX_FRAME_BYTES } from '../protocol/frame.ts';
import { etcdOption, intOption, parseCommandLine } from './options.ts';
import { UsageError } from './usage-error.ts';

/** The levels `--log-level` accepts (pino's, plus `silent`). */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Help text of `skein dso`. */
export const DSO_USAGE = `usage: skein dso [options]

Runs a DSO node in the foreground until SIGINT or SIGTERM: alone, or as a member of a cluster
kept in etcd (--etcd).

options:
  --port N             TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H             interface to bind (default 127.0.0.1; 0.0.0.0 for all)
  --token T            require this token from clients (default: SKEIN_TOKEN, else none)
  --tls-cert FILE      PEM certificate: serve TLS (clients use skeins://)
  --tls-key FILE       PEM private key for --tls-cert
  --max-frame-bytes N  largest frame accepted (default 16777216, at least ${MIN_MAX_FRAME_BYTES})
  --log-level L        ${LOG_LEVELS.join('|')} (default info)
  --objects MODULE     load the shared classes (sharedClass) a module defines; repeatable
  --etcd URLS          be a member of a cluster kept in etcd (http://host:port, comma-separated;
                       default: SKEIN_ETCD, else run alone)
  --cluster NAME       the cluster's name in etcd (default 'default')
  --rf N               copies of each object in the cluster, owner included (1 to 16, default 1)
  --lease-ttl-ms N     this member's etcd lease (1000 to 3600000, default 2000); it stops serving
                       before the lease runs out, and its objects fail over once it has
  --advertise HOST     the host other members and clients reach this node at (default: --host)
  --data-dir DIR       keep a journal (log + snapshots) in DIR; a restart recovers every
                       acknowledged call
  --fsync              fdatasync the journal before replying (survives power loss)
  --snapshot-bytes N   snapshot the journal once its log exceeds N bytes (default 67108864;
                       needs --data-dir)
  --session-ttl-ms N   end a disconnected client's session after N ms (default 10000)
  --metrics-port N     serve Prometheus metrics at http://HOST:N/metrics (0 picks a free port)
  --metrics-host H     interface the metrics port binds (default: --host)
  -h, --help           print this help`;

/**
 * `skein dso`: runs a node in the foreground and stops it cleanly on SIGINT or SIGTERM; resolves
 * with the exit code. A bad command line throws a {@link UsageError}.
 */
export async function dsoCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'max-frame-bytes': { type: 'string' },
    'log-level': { type: 'string' },
    objects: { type: 'string', multiple: true },
    etcd: { type: 'string' },
    cluster: { type: 'string' },
    'lease-ttl-ms': { type: 'string' },
    rf: { type: 'string' },
    advertise: { type: 'string' },
    'data-dir': { type: 'string' },
    fsync: { type: 'boolean' },
    'snapshot-bytes': { type: 'string' },
    'session-ttl-ms': { type: 'string' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
  });
  const port = intOption(values.port, 'port', { max: 65535 }) ?? DEFAULT_PORT;
  const maxFrameBytes = intOption(values['max-frame-bytes'], 'max-frame-bytes', { min: MIN_MAX_FRAME_BYTES });
  const logLevel = values['log-level'];
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join('|')}, got '${logLevel}'`);
  }
  if (!!values['tls-cert'] !== !!values['tls-key']) throw new UsageError('--tls-cert and --tls-key go together');
  const tls = values['tls-cert']
    ? { cert: readPem(values['tls-cert'], 'tls-cert'), key: readPem(values['tls-key']!, 'tls-key') }
    : undefined;
  const rf = intOption(values.rf, 'rf', { min: 1, max: 16 });
  const sessionTtlMs = intOption(values['session-ttl-ms'], 'session-ttl-ms', { min: 1 });
  const etcd = etcdOption(values.etcd);
  if (values.cluster !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(values.cluster)) {
    throw new UsageError(`--cluster takes 1 to 63 letters, digits, '.', '_' or '-', got '${values.cluster}'`);
  }
  if ((values.cluster !== undefined || values['lease-ttl-ms'] !== undefined) && etcd === undefined) {
    throw new UsageError('--cluster and --lease-ttl-ms need --etcd (or SKEIN_ETCD)');
  }
  const leaseTtlMs = intOption(values['lease-ttl-ms'], 'lease-ttl-ms', { min: 1000, max: 3_600_000 });
  if (values.advertise !== undefined && (values.advertise === '' || /[/\s]/.test(values.advertise))) {
    throw new UsageError(`--advertise takes a host name or address, got '${values.advertise}'`);
  }
  if (values['data-dir'] === '') throw new UsageError('--data-dir takes a directory');
  const snapshotBytes = intOption(values['snapshot-bytes'], 'snapshot-bytes', { min: 1 });
  if (snapshotBytes !== undefined && values['data-dir'] === undefined) throw new UsageError('--snapshot-bytes needs --data-dir');
  const metricsPort = intOption(values['metrics-port'], 'metrics-port', { max: 65535 });
  if (values['metrics-host'] !== undefined && metricsPort === undefined) throw new UsageError('--metrics-host needs --metrics-port');
  if (values['metrics-host'] === '') throw new UsageError('--metrics-host takes a host name or address');
  // Loaded only now: help and usage errors need no node.
  const { createLogger } = await import('../server/logger.ts');
  const { startNode } = await import('../server/node.ts');
  const logger = createLogger(logLevel as Level | 'silent' | undefined, 'info');
  for (const module of values.objects ?? []) await loadObjects(module);
  const objects = registeredUserTypes();
  if (objects.length > 0) logger.info({ types: objects.map((t) => t.name) }, 'shared classes loaded');
  const token = values.token ?? process.env.SKEIN_TOKEN;
  const node = await startNode({
    port,
    host: values.host ?? '127.0.0.1',
    ...(token ? { token } : {}),
    ...(maxFrameBytes !== undefined ? { maxFrameBytes } : {}),
    ...(tls ? { tls } : {}),
    objects,
    logger,
    ...(etcd !== undefined ? { etcd } : {}),
    ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
    ...(leaseTtlMs !== undefined ? { leaseTtlMs } : {}),
    ...(rf !== undefined ? { rf } : {}),
    ...(values.advertise !== undefined ? { advertise: values.advertise } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(values.fsync ? { fsync: true } : {}),
    ...(snapshotBytes !== undefined ? { snapshotBytes } : {}),
    ...(sessionTtlMs !== undefined ? { sessionTtlMs } : {}),
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(values['metrics-host'] !== undefined ? { metricsHost: values['metrics-host'] } : {}),
  });
  const members = node.members();
  process.stdout.write(
    `skein dso listening on ${node.url}${members.length > 1 ? ` (member ${members.length} of a cluster: ${members.join(', ')})` : ''}\n`,
  );
  if (node.metricsUrl !== undefined) process.stdout.write(`metrics at ${node.metricsUrl}\n`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      node.close().then(
        () => resolve(0),
        (err) => {
          logger.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * Imports a module of shared classes; a missing one is a usage error, a failing one reports why,
 * and one that neither registers a class nor exports one (a module another `--objects` already
 * loaded registers nothing new) is a usage error.
 */
async function loadObjects(module: string): Promise<void> {
  const path = resolve(module);
  if (!existsSync(path)) throw new UsageError(`--objects: no such module ${module}`);
  const before = registeredUserTypes().length;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`--objects ${module} failed to load: ${(err as Error).message}`, { cause: err });
  }
  const exportsClass = Object.values(exports).some((v) => typeof v === 'function' && 'objectType' in v);
  if (registeredUserTypes().length === before && !exportsClass) {
    throw new UsageError(`--objects ${module} registers no shared class (define them with sharedClass at its top level)`);
  }
}

function readPem(path: string, name: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`--${name}: cannot read ${path}: ${(err as Error).message}`);
  }
}
