/** A DSO node in its own process, as the DSO scenarios use it; and clusters of them. */
import { readFileSync } from 'node:fs';
import { startService, type Service } from '../support.ts';

/** Cluster options of {@link startDsoNode}, passed to `skein dso` as they are named there. */
export interface DsoNodeOptions {
  /** `--join`: a member of the cluster to join. */
  join?: string;
  /** `--rf`: copies of each object, owner included (every member the same). */
  rf?: number;
  /** `--data-dir`: keep a journal there. */
  dataDir?: string;
}

/** Starts `skein dso --port 0` (a member once it prints its URL); `url` is where it listens. */
export async function startDsoNode(opts: DsoNodeOptions = {}): Promise<Service & { url: string }> {
  const args = ['bin/skein.js', 'dso', '--port', '0', '--log-level', 'warn'];
  if (opts.join !== undefined) args.push('--join', opts.join);
  if (opts.rf !== undefined) args.push('--rf', String(opts.rf));
  if (opts.dataDir !== undefined) args.push('--data-dir', opts.dataDir);
  const s = await startService(args, /listening on (skein:\/\/\S+)/);
  return Object.assign(s, { url: s.match[1]! });
}

/** Starts `n` nodes, each its own process, the others joining the first, all with `rf`. */
export async function startDsoCluster(n: number, rf: number): Promise<Array<Service & { url: string }>> {
  const first = await startDsoNode({ rf });
  const nodes = [first];
  try {
    for (let i = 1; i < n; i++) nodes.push(await startDsoNode({ rf, join: first.url }));
  } catch (err) {
    for (const node of nodes) await node.stop();
    throw err;
  }
  return nodes;
}

/** Resident memory of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
