/** A DSO node in its own process, as the DSO scenarios use it; and clusters of them. */
import { readFileSync } from 'node:fs';
import { startEtcd } from '../../test/support/etcd.ts';
import { startService, type Service } from '../support.ts';

/** Cluster options of {@link startDsoNode}, passed to `skein dso` as they are named there. */
export interface DsoNodeOptions {
  /** `--etcd` and `--cluster`: be a member of this cluster kept in this etcd. */
  etcd?: { url: string; cluster: string };
  /** `--rf`: copies of each object, owner included (every member the same). */
  rf?: number;
  /** `--data-dir`: keep a journal there. */
  dataDir?: string;
}

/**
 * `--metrics-port 0` when `SKEIN_BENCH_METRICS=1`: the DSO scenarios then measure a node serving
 * Prometheus metrics (what the hot path pays for them), else a node without.
 */
export function metricsArgs(): string[] {
  return process.env.SKEIN_BENCH_METRICS === '1' ? ['--metrics-port', '0'] : [];
}

/** Starts `skein dso --port 0` (a member once it prints its URL); `url` is where it listens. */
export async function startDsoNode(opts: DsoNodeOptions = {}): Promise<Service & { url: string }> {
  const args = ['bin/skein.js', 'dso', '--port', '0', '--log-level', 'warn', ...metricsArgs()];
  if (opts.etcd !== undefined) args.push('--etcd', opts.etcd.url, '--cluster', opts.etcd.cluster);
  if (opts.rf !== undefined) args.push('--rf', String(opts.rf));
  if (opts.dataDir !== undefined) args.push('--data-dir', opts.dataDir);
  const s = await startService(args, /listening on (skein:\/\/\S+)/);
  return Object.assign(s, { url: s.match[1]! });
}

/**
 * Starts `n` nodes, each its own process, members of one cluster kept in an etcd of its own
 * (Debian's etcd-server; `scripts/ensure-etcd.sh` installs it), all with `rf`. Stopping the first
 * node also stops the etcd, once the others are stopped.
 */
export async function startDsoCluster(n: number, rf: number): Promise<Array<Service & { url: string }>> {
  const etcd = await startEtcd();
  const nodes: Array<Service & { url: string }> = [];
  try {
    for (let i = 0; i < n; i++) nodes.push(await startDsoNode({ rf, etcd: { url: etcd.url, cluster: 'bench' } }));
  } catch (err) {
    for (const node of nodes) await node.stop();
    await etcd.stop();
    throw err;
  }
  const first = nodes[0]!;
  const stopFirst = first.stop.bind(first);
  first.stop = async () => {
    await Promise.all(nodes.slice(1).map((node) => node.stop()));
    await stopFirst();
    await etcd.stop();
  };
  return nodes;
}

/** Resident memory of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
