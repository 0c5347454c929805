import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Placement } from '../../src/cluster/placement.ts';
import { Client } from '../../src/client/client.ts';
import { startEtcd, stopEtcds, type TestEtcd } from './etcd.ts';
import { freePort, skein, waitForLine } from './node.ts';

/** A `skein dso` member running as its own process. */
export interface Member {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What the process has written to stderr so far (its warnings and errors). */
  stderr(): string;
  /** The etcd and cluster name it is a member of (when it is one). */
  readonly etcd: string | undefined;
  readonly cluster: string | undefined;
  /** Kills the process with SIGKILL and waits for it to be gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait (a clean stop). */
  stop(): Promise<void>;
}

/** Options of {@link startMember}. */
export interface MemberOptions {
  /** A fixed port (to restart a member at the same URL); default a free one. */
  port?: number;
  /** etcd client URL: the member joins cluster `cluster` kept there. */
  etcd?: string;
  cluster?: string;
  /** The member's etcd lease TTL (ms). */
  leaseTtlMs?: number;
  rf?: number;
  dataDir?: string;
  sessionTtlMs?: number;
  /** Take a journal snapshot once the log exceeds this many bytes (needs `dataDir`). */
  snapshotBytes?: number;
  /** Modules of shared classes to serve (`--objects`). */
  objects?: readonly string[];
  /** Log level of the member (`--log-level`); default warn. */
  logLevel?: string;
  /** Also append everything the member writes to stderr (its log) to this file. */
  logFile?: string;
  /** The address to bind and advertise (`--host`); default loopback. */
  host?: string;
  /** Run the member inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** Serve Prometheus metrics on this port (`--metrics-port`). */
  metricsPort?: number;
}

const running = new Set<ChildProcess>();

/** Starts `skein dso` and resolves once it is listening (and, with `etcd`, a member). */
export async function startMember(opts: MemberOptions = {}): Promise<Member> {
  const port = opts.port ?? (await freePort());
  const args = ['dso', '--port', String(port), '--log-level', opts.logLevel ?? 'warn'];
  if (opts.etcd) args.push('--etcd', opts.etcd, '--cluster', opts.cluster ?? 'default');
  if (opts.leaseTtlMs) args.push('--lease-ttl-ms', String(opts.leaseTtlMs));
  if (opts.rf) args.push('--rf', String(opts.rf));
  if (opts.dataDir) args.push('--data-dir', opts.dataDir);
  if (opts.sessionTtlMs) args.push('--session-ttl-ms', String(opts.sessionTtlMs));
  if (opts.snapshotBytes) args.push('--snapshot-bytes', String(opts.snapshotBytes));
  for (const module of opts.objects ?? []) args.push('--objects', module);
  if (opts.host) args.push('--host', opts.host);
  if (opts.metricsPort !== undefined) args.push('--metrics-port', String(opts.metricsPort));
  const child = skein(args, {}, opts.netns);
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (opts.logFile) appendFileSync(opts.logFile, chunk);
  });
  const exit = once(child, 'exit').then(() => {
    throw new Error(`skein dso exited before listening: ${stderr}`);
  });
  const listening = waitForLine(child, /listening on (skein:\/\/\S+)/).catch((err: Error) => {
    throw new Error(`${err.message}; stderr: ${stderr}`);
  });
  const [, url] = (await Promise.race([listening, exit])) as RegExpMatchArray;
  exit.catch(() => undefined);
  const gone = once(child, 'exit');
  const member: Member = {
    url: url!,
    port,
    etcd: opts.etcd,
    cluster: opts.etcd ? (opts.cluster ?? 'default') : undefined,
    child,
    stderr: () => stderr,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
      running.delete(child);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await gone;
      running.delete(child);
    },
  };
  return member;
}

let etcd: Promise<TestEtcd> | undefined;
let clusters = 0;

/** The etcd this test process's clusters are kept in (started on first use, stopped by {@link killMembers}). */
export function clusterEtcd(): Promise<TestEtcd> {
  etcd ??= startEtcd();
  return etcd;
}

/**
 * Starts `n` members of a new cluster (its own name in this process's etcd) with `rf` copies of
 * each object; resolves once all are members.
 */
export async function startCluster(n: number, rf: number, extra: MemberOptions = {}): Promise<Member[]> {
  const url = extra.etcd ?? (await clusterEtcd()).url;
  const cluster = extra.cluster ?? `c${process.pid}-${++clusters}`;
  const members: Member[] = [];
  // One by one, so the first member's view (and rf) is there for the others.
  for (let i = 0; i < n; i++) members.push(await startMember({ ...extra, rf, etcd: url, cluster }));
  return members;
}

/** Starts one more member of the cluster `like` belongs to (same etcd, name and rf). */
export function startMemberLike(like: Member, extra: MemberOptions = {}): Promise<Member> {
  if (!like.etcd) throw new Error('that member is not in a cluster');
  return startMember({ ...extra, etcd: like.etcd, cluster: like.cluster! });
}

/** Kills every member still running (for `after`). */
export async function killMembers(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }),
  );
  running.clear();
  if (etcd) {
    etcd = undefined;
    await stopEtcds();
  }
}

/** The member that owns `key` among `members` (as the cluster places it). */
export function ownerOf(key: string, members: readonly Member[]): Member {
  const url = new Placement(members.map((m) => m.url)).primary(key);
  return members.find((m) => m.url === url)!;
}

/** A client of the cluster given all members as seeds. */
export function clusterClient(members: readonly Member[], retryWindowMs = 20_000): Client {
  return new Client({ url: members.map((m) => m.url).join(','), retryWindowMs });
}

/** Waits until a client sees a topology of exactly `urls` (members announce each change). */
export async function waitForMembers(client: Client, urls: readonly string[]): Promise<void> {
  const want = [...urls].sort().join(',');
  await client.topologyWhere((t) => t.members.join(',') === want);
}

/**
 * Waits until every member a client sees reports the same view as stable: the handover is over
 * and no member keeps copies for the previous view. Asks again after each answer (one round trip
 * each, no sleeping); the test's timeout bounds it.
 */
export async function waitForStable(client: Client): Promise<void> {
  for (;;) {
    const infos = await client.infoAll();
    if (infos.every((i) => i.stable && i.epoch === infos[0]!.epoch)) return;
  }
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'skein-data-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
