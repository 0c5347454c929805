import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ListenError } from '../errors/listen-error.ts';
import { SAMPLE_EVERY, type CallStats } from './call-stats.ts';
import type { Traffic } from './traffic.ts';

/** What a node reports about itself at scrape time (each value is cheap to read then). */
export interface NodeGauges {
  /** Live objects per type name (backup copies included). */
  byType: Record<string, number>;
  parkedCalls: number;
  /** Of the parked calls, those on lattice objects: clients' caches subscribed to keys. */
  cacheSubscriptions: number;
  /** Client sessions with a connection now. */
  sessions: number;
  keptReplies: number;
  members: number;
  epoch: number;
  stable: boolean;
  lostRegions: number;
  /** Replies produced and held until the journal and the backups have the records before them. */
  repliesHeld: number;
  /** Records appended to the journal and not yet committed (0 without a journal). */
  journalLag: number;
  /** Per member replicated to: records sent and not acknowledged. */
  replicationLag: ReadonlyArray<{ member: string; records: number }>;
}

/** Where a node serves its metrics, and what it reads them from. */
export interface MetricsOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  stats: CallStats;
  traffic: Traffic;
  gauges(): NodeGauges;
}

/** Latency buckets (seconds): a call on a node takes microseconds, a parked one up to minutes. */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The process-wide metrics (CPU, memory, event loop delay, garbage collection: prom-client's
 * defaults), registered once per process however many nodes it runs, since their collectors have
 * no way to stop.
 */
let processRegistry: Registry | undefined;

/**
 * A node's Prometheus metrics, served as text at `GET /metrics` on their own HTTP port (any other
 * path answers 404). Calls are counted on the hot path by {@link CallStats}; everything else is
 * read when Prometheus scrapes. The names are listed in the README ("Operating it").
 */
export class NodeMetrics {
  private constructor(
    private readonly server: http.Server,
    /** `http://host:port/metrics`. */
    readonly url: string,
  ) {}

  /** Starts serving; rejects with a {@link ListenError} if the address cannot be bound. */
  static async start(opts: MetricsOptions): Promise<NodeMetrics> {
    // Read once per scrape, before the collectors run: each of them reads its value from it.
    let current: NodeGauges | undefined;
    const registry = nodeRegistry(opts, () => (current ??= opts.gauges()));
    processRegistry ??= defaultsRegistry();
    const served = Registry.merge([registry, processRegistry]);
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      // A failure to read answers 500; it must never throw out of the handler (the node's process).
      Promise.resolve()
        .then(() => {
          current = opts.gauges();
          return served.metrics();
        })
        .then(
          (text) => res.writeHead(200, { 'content-type': served.contentType }).end(req.method === 'HEAD' ? undefined : text),
          (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
        );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new ListenError('the metrics server', opts.host, opts.port, err)));
      server.listen(opts.port, opts.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new NodeMetrics(server, `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/metrics`);
  }

  /** Stops serving (open scrapes are cut). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/** The node's own metrics: calls from `opts.stats`, bytes from `opts.traffic`, the rest from `read()`. */
function nodeRegistry(opts: MetricsOptions, read: () => NodeGauges): Registry {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, value: (g: NodeGauges) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value(read()));
      },
    });
  };

  new Counter({
    name: 'skein_calls_total',
    help: 'Calls answered by this node as their object\'s owner, by object type and method (errors included; names it does not serve count as "(unknown)")',
    labelNames: ['type', 'method'],
    registers,
    collect() {
      this.reset();
      for (const c of opts.stats.byMethod()) this.inc({ type: c.type, method: c.method }, c.calls);
    },
  });
  const latency = new Histogram({
    name: 'skein_call_duration_seconds',
    help: `Time from a call's arrival to its answer (parked time and replication included), by object type, measured on a random sample of about 1 call in ${SAMPLE_EVERY}`,
    labelNames: ['type'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  opts.stats.latency = (labels, seconds) => latency.observe(labels, seconds);
  new Gauge({
    name: 'skein_objects',
    help: 'Live objects held by this node, by type (backup copies included)',
    labelNames: ['type'],
    registers,
    collect() {
      this.reset();
      for (const [type, n] of Object.entries(read().byType)) this.set({ type }, n);
    },
  });
  gauge('skein_parked_calls', 'Calls parked in blockUntil now', (g) => g.parkedCalls);
  gauge('skein_cache_subscriptions', 'Clients\' caches subscribed to lattice objects here (their parked watch calls)', (g) => g.cacheSubscriptions);
  gauge('skein_sessions', 'Client sessions with a connection to this node now', (g) => g.sessions);
  gauge('skein_kept_replies', 'Replies kept for resends until their clients acknowledge them', (g) => g.keptReplies);
  gauge('skein_members', 'Members of the view this node has installed (1 when alone)', (g) => g.members);
  gauge('skein_view_epoch', 'Epoch of the view this node has installed', (g) => g.epoch);
  gauge('skein_view_stable', '1 when the view is stable, 0 while a handover runs', (g) => (g.stable ? 1 : 0));
  gauge('skein_lost_regions', 'Regions of keys whose every copy was lost, as this node knows', (g) => g.lostRegions);
  gauge('skein_replies_held', 'Replies waiting until the journal and the backups have the records before them', (g) => g.repliesHeld);
  gauge('skein_journal_lag_records', 'Records appended to the journal and not yet committed', (g) => g.journalLag);
  new Gauge({
    name: 'skein_replication_lag_records',
    help: 'Records sent to a member (a backup, or a new owner in a handover) and not yet acknowledged by it',
    labelNames: ['member'],
    registers,
    collect() {
      this.reset();
      for (const { member, records } of read().replicationLag) this.set({ member }, records);
    },
  });
  new Counter({
    name: 'skein_received_bytes_total',
    help: 'Bytes received on the connections this node accepted (clients, and links other members opened to it)',
    registers,
    collect() {
      this.reset();
      this.inc(opts.traffic.received);
    },
  });
  new Counter({
    name: 'skein_sent_bytes_total',
    help: 'Bytes written to the connections this node accepted',
    registers,
    collect() {
      this.reset();
      this.inc(opts.traffic.sent);
    },
  });
  return registry;
}

function defaultsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
