/**
 * One fault run, start to end: a 3-member cluster with rf 2, client driver processes loading it,
 * one fault injected midway, then (once everything is undone and the load is over) final reads,
 * what each member holds, and the listing of keys, all recorded; then the checker's verdict on
 * the whole history. Every process and namespace it started is gone when it returns or throws.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AtomicLong, AtomicReference, SharedMap, type Client } from '../../src/index.ts';
import { exited, output, ROOT, stopChild, waitForLine } from '../support/node.ts';
import { checkHistory, type CheckReport } from './checker.ts';
import { FaultCluster } from './fault-cluster.ts';
import { HistoryWriter, now, readHistories } from './history.ts';
import { createDoomed, inject, type FaultName } from './injectors.ts';
import { recordCall } from './recorder.ts';
import { workload, type Workload } from './workload.ts';

/** Options of {@link runFault}. */
export interface FaultRunOptions {
  fault: FaultName;
  /** How long the drivers load the cluster (ms). */
  loadMs: number;
  /** How long the fault lasts (pause, cut-off, hogs, time down), ms. */
  faultMs: number;
  /** Driver processes, and calls per second each. */
  clients: number;
  rate: number;
  /** Seed of the drivers' random choices. */
  seed?: number;
  /** Keep the history directory (its path is in the result); default: removed. */
  keepHistory?: boolean;
}

/** How a run went. */
export interface FaultRun {
  fault: FaultName;
  report: CheckReport;
  /** What the run noticed about the cluster besides violations (e.g. it never settled). */
  notes: string[];
  /** Objects recorded lost (every copy gone), and destroys acknowledged. */
  lost: string[];
  destroyed: number;
  /** The history directory, if kept. */
  historyDir?: string;
}

const MEMBERS = 3;
const RF = 2;
/** How long a driver may outlive its load time (a call hung on a paused or cut-off member). */
const GRACE_MS = 15_000;
/** How long the cluster gets to settle after the load (topology, equal copies). */
const SETTLE_MS = 10_000;

/** What runs in flight have started, for {@link stopFaultRuns}. */
const inFlight = new Set<() => Promise<void>>();

/**
 * Stops what runs still in flight started (drivers, members, etcd, namespaces): for `after`, when
 * a test timed out and abandoned its run before the run's own `finally`.
 */
export async function stopFaultRuns(): Promise<void> {
  await Promise.all([...inFlight].map((stop) => stop()));
}

/** Runs `opts.fault` once and checks the history. */
export async function runFault(opts: FaultRunOptions): Promise<FaultRun> {
  const dir = mkdtempSync(join(tmpdir(), `skein-faults-${opts.fault}-`));
  const control = new HistoryWriter(join(dir, 'control.jsonl'));
  const prefix = `${opts.fault}-${process.pid}-${Date.now().toString(36)}`;
  const keys = workload(prefix);
  const doomed = opts.fault === 'restart' ? Array.from({ length: 6 }, (_, i) => `${prefix}-gone${i}`) : [];
  const notes: string[] = [];
  const drivers: ChildProcess[] = [];
  let cluster: FaultCluster | undefined;
  let client: Client | undefined;
  const stop = async (): Promise<void> => {
    inFlight.delete(stop);
    await Promise.all(drivers.map(stopChild));
    await client?.close();
    await cluster?.stop();
  };
  inFlight.add(stop);
  try {
    cluster = await FaultCluster.start({ size: MEMBERS, rf: RF, dataDirs: opts.fault === 'restart', lan: opts.fault === 'partition', ...(opts.keepHistory ? { logDir: dir } : {}) });
    client = cluster.client();
    const ctx = {
      cluster,
      control,
      client,
      hotKey: keys.counters[0]!,
      keys: keys.all,
      doomed,
      durationMs: opts.faultMs,
      note: (text: string) => notes.push(text),
    };
    await createDoomed(ctx);

    for (let i = 0; i < opts.clients; i++) drivers.push(startDriver(cluster.urls, `d${i}`, join(dir, `d${i}.jsonl`), prefix, (opts.seed ?? 1) * 100 + i, opts));
    const logs = drivers.map(output);
    await Promise.all(drivers.map((d) => waitForLine(d, /^ready$/m)));
    // The fault starts a fifth into the load and must end before it does.
    await delay(Math.min(opts.loadMs / 5, Math.max(0, opts.loadMs - opts.faultMs - 1_000)));
    await inject(opts.fault, ctx);

    const bound = new AbortController();
    const late = delay(opts.loadMs + GRACE_MS + 10_000, 'late' as const, { signal: bound.signal });
    const ends = await Promise.all(drivers.map((d) => Promise.race([exited(d), late])));
    bound.abort();
    late.catch(() => undefined);
    ends.forEach((end, i) => {
      if (end === 'late' || end.code !== 0) throw new Error(`driver d${i} did not end cleanly (${JSON.stringify(end)}): ${logs[i]!.stderr}`);
    });

    await settle(cluster, client, notes);
    const lost = readHistories(dir).flatMap((r) => (r.type === 'lost' ? [r.key] : []));
    await finalReads(client, control, keys);
    if (lost.length > 0) await acceptLoss(cluster, client, control, keys, lost, notes);
    await recordCopies(cluster, control, [...keys.all, ...doomed]);
    const listed = await client.keys(prefix);
    control.write({ type: 'keys', keys: listed, at: now() });
  } finally {
    await stop();
    control.close();
  }
  const records = readHistories(dir);
  const report = checkHistory(records);
  if (!opts.keepHistory) rmSync(dir, { recursive: true, force: true });
  return {
    fault: opts.fault,
    report,
    notes,
    lost: records.flatMap((r) => (r.type === 'lost' ? [r.key] : [])),
    destroyed: records.filter((r) => r.type === 'op' && r.f === 'destroy' && r.outcome === 'ok').length,
    ...(opts.keepHistory ? { historyDir: dir } : {}),
  };
}

function startDriver(urls: string[], id: string, out: string, prefix: string, seed: number, opts: FaultRunOptions): ChildProcess {
  const args = ['--url', urls.join(','), '--client', id, '--out', out, '--prefix', prefix, '--seed', String(seed)];
  args.push('--seconds', String(opts.loadMs / 1000), '--rate', String(opts.rate), '--grace-ms', String(GRACE_MS));
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/faults/driver.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits (bounded) until the client sees every running member, and no fewer. */
async function settle(cluster: FaultCluster, client: Client, notes: string[]): Promise<void> {
  const want = cluster
    .live()
    .map(({ member }) => member.url)
    .sort()
    .join(',');
  try {
    await client.topologyWhere((t) => [...t.members].sort().join(',') === want, SETTLE_MS);
  } catch {
    notes.push(`the members did not settle on one view of ${want} within ${SETTLE_MS} ms (topology ${JSON.stringify(client.topology)})`);
  }
}

/** One read of every object's final value, recorded. */
async function finalReads(client: Client, control: HistoryWriter, keys: Workload): Promise<void> {
  const final = { client: 'control', final: true, f: 'get' } as const;
  for (const key of keys.counters) {
    const c = new AtomicLong({ key, client });
    await recordCall(control, { ...final, object: 'AtomicLong', key }, () => c.get());
  }
  for (const key of keys.registers) {
    const r = new AtomicReference<string>({ key, client });
    await recordCall(control, { ...final, object: 'AtomicReference', key }, () => r.get());
  }
  for (const key of keys.maps) {
    const m = new SharedMap<string, number>({ key, client });
    for (const field of keys.fields) await recordCall(control, { ...final, object: 'SharedMap', key, field }, () => m.get(field));
  }
}

/**
 * With objects lost: accepts the loss (`skein admin forget-lost`, etcd only) and checks that each
 * lost counter then starts anew (an increment, then a final read, recorded).
 */
async function acceptLoss(cluster: FaultCluster, client: Client, control: HistoryWriter, keys: Workload, lost: string[], notes: string[]): Promise<void> {
  notes.push(`lost: ${lost.join(', ')}`);
  if (!cluster.registry) {
    notes.push('the old cluster has no forget-lost: the lost objects stay as they are');
    return;
  }
  await cluster.forgetLost();
  const at = now();
  for (const key of lost) control.write({ type: 'forgotten', key, at });
  for (const key of lost.filter((k) => keys.counters.includes(k))) {
    const c = new AtomicLong({ key, client });
    await recordCall(control, { client: 'control', object: 'AtomicLong', key, f: 'incrementAndGet' }, () => c.incrementAndGet());
    await recordCall(control, { client: 'control', object: 'AtomicLong', key, f: 'get', final: true }, () => c.get());
  }
}

/**
 * What every running member holds for each key, recorded once the copies agree or the settling
 * time is up (backups may trail their owner for a moment).
 */
async function recordCopies(cluster: FaultCluster, control: HistoryWriter, keys: readonly string[]): Promise<void> {
  const deadline = now() + SETTLE_MS;
  for (const key of keys) {
    let copies = await cluster.copies(key);
    const agree = (): boolean => {
      const held = copies.filter((c) => c.state !== null);
      return held.every((c) => JSON.stringify(c.state) === JSON.stringify(held[0]!.state));
    };
    while (!agree() && now() < deadline) {
      await delay(100);
      copies = await cluster.copies(key);
    }
    control.write({ type: 'copies', key, copies, at: now() });
  }
}
