/**
 * `cluster-throughput` (reported, not targeted): AtomicLong.incrementAndGet over 1000 keys, from
 * client processes (each with clients on all the seeds, 64 calls outstanding per client), against
 * 1 node; 3 nodes with rf 1; 3 nodes with rf 2 (each change waits for its backup); 1 node with a
 * journal (--data-dir, no fsync). Every node is its own `skein dso` process. All four run at once,
 * idle but for their heartbeats, and rounds alternate between them so drift hits all; the median
 * of each is reported, with the CPU the nodes and the clients spent per call. Each setup's
 * counters must add up to the calls made, or the scenario fails.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtomicLong, connect } from '../../src/index.ts';
import { median } from '../load.ts';
import type { ScenarioResult } from '../result.ts';
import { cpuSeconds, machineCpuSeconds, ROOT, type Service } from '../support.ts';
import type { ClusterClientsConfig, FromClients, ToClients } from './cluster-clients.ts';
import { startDsoCluster, startDsoNode } from './dso-node.ts';

const KEYS = Array.from({ length: 1000 }, (_, i) => `cluster-throughput-${i}`);
const WINDOW = 64;
const CLIENTS_PER_PROCESS = 2;
const ROUNDS = 5;

/** Client processes driving one setup. */
class ClientProcesses {
  private constructor(readonly children: ChildProcess[]) {}

  static async start(seeds: string, members: number, processes: number): Promise<ClientProcesses> {
    const entry = fileURLToPath(new URL('./cluster-clients.ts', import.meta.url));
    const children = Array.from({ length: processes }, (_, p) => {
      const config: ClusterClientsConfig = { seeds, members, clients: CLIENTS_PER_PROCESS, window: WINDOW, keys: KEYS, offset: Math.floor((p * KEYS.length) / processes) };
      return fork(entry, [JSON.stringify(config)], { cwd: ROOT, execArgv: ['--import', 'tsx'], env: { ...process.env, SKEIN_LOG_LEVEL: 'warn' } });
    });
    const procs = new ClientProcesses(children);
    try {
      await procs.all();
    } catch (err) {
      await procs.stop();
      throw err;
    }
    return procs;
  }

  /** Every client of every process makes `calls` calls; resolves when all are answered. */
  async run(calls: number): Promise<void> {
    const done = this.all();
    for (const c of this.children) c.send({ calls } satisfies ToClients);
    await done;
  }

  /** Resolves once every process has answered (ready or done); rejects on an error or an exit. */
  private all(): Promise<void> {
    return Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            const onExit = (code: number | null): void => reject(new Error(`a client process exited (${code})`));
            child.once('exit', onExit);
            child.once('message', (m: FromClients) => {
              child.off('exit', onExit);
              if ('error' in m) reject(new Error(`client process: ${m.error}`));
              else resolve();
            });
          }),
      ),
    ).then(() => undefined);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = once(child, 'exit');
        if (child.connected) child.send({ stop: true } satisfies ToClients);
        else child.kill('SIGTERM');
        await gone;
      }),
    );
  }
}

/** One configuration under test and what it measured. */
interface Setup {
  name: string;
  nodes: Array<Service & { url: string }>;
  clients: ClientProcesses;
  /** Calls made so far, which the counters must add up to. */
  calls: number;
  opsPerSec: number[];
  nodeCpuUsPerCall: number[];
  clientCpuUsPerCall: number[];
  /** CPU used by nodes and clients over the wall time times the cores, in %. */
  busyPercent: number[];
  /** CPU used by every other process of the machine (this one, other work) likewise, in %. */
  othersPercent: number[];
  /** CPU seconds of each node over the measured rounds. */
  nodeCpu: number[];
}

/** Runs `calls` calls (spread over every client) on `s`, recording rate and CPU. */
async function measure(s: Setup, calls: number, record: boolean): Promise<void> {
  const perClient = Math.ceil(calls / (s.clients.children.length * CLIENTS_PER_PROCESS));
  const made = perClient * s.clients.children.length * CLIENTS_PER_PROCESS;
  const nodePids = s.nodes.map((n) => n.child.pid!);
  const clientPids = s.clients.children.map((c) => c.pid!);
  const nodeCpu0 = nodePids.map(cpuSeconds);
  const clientCpu0 = clientPids.reduce((a, pid) => a + cpuSeconds(pid), 0);
  const machine0 = machineCpuSeconds();
  const t0 = process.hrtime.bigint();
  await s.clients.run(perClient);
  const machine = machineCpuSeconds() - machine0;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const nodeCpu = nodePids.map((pid, i) => cpuSeconds(pid) - nodeCpu0[i]!);
  const clientCpu = clientPids.reduce((a, pid) => a + cpuSeconds(pid), 0) - clientCpu0;
  s.calls += made;
  if (!record) return;
  const nodeTotal = nodeCpu.reduce((a, b) => a + b, 0);
  s.opsPerSec.push(made / wall);
  s.nodeCpuUsPerCall.push((nodeTotal / made) * 1e6);
  s.clientCpuUsPerCall.push((clientCpu / made) * 1e6);
  const capacity = wall * os.availableParallelism();
  s.busyPercent.push(((nodeTotal + clientCpu) / capacity) * 100);
  s.othersPercent.push(((machine - nodeTotal - clientCpu) / capacity) * 100);
  nodeCpu.forEach((c, i) => (s.nodeCpu[i] = (s.nodeCpu[i] ?? 0) + c));
}

/** Reads every counter of `s` and throws unless they add up to the calls made. */
async function verify(s: Setup): Promise<void> {
  const client = await connect({ url: s.nodes.map((n) => n.url).join(',') });
  try {
    await client.topologyWhere((t) => t.members.length === s.nodes.length);
    const values = await Promise.all(KEYS.map((key) => new AtomicLong({ key, client }).get()));
    const sum = values.reduce((a, b) => a + b, 0);
    if (sum !== s.calls) throw new Error(`${s.name}: the counters add up to ${sum}, but ${s.calls} increments were answered`);
  } finally {
    await client.close();
  }
}

/** Runs the scenario with `total` calls per measurement from `processes` client processes. */
export async function clusterThroughput(total = 200_000, processes = 2): Promise<ScenarioResult> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'skein-bench-journal-'));
  const setups: Setup[] = [];
  try {
    const starts: Array<[string, () => Promise<Array<Service & { url: string }>>]> = [
      ['1 node', async () => [await startDsoNode()]],
      ['3 nodes rf1', () => startDsoCluster(3, 1)],
      ['3 nodes rf2', () => startDsoCluster(3, 2)],
      ['1 node journal', async () => [await startDsoNode({ dataDir })]],
    ];
    for (const [name, start] of starts) {
      const nodes = await start();
      let clients: ClientProcesses;
      try {
        clients = await ClientProcesses.start(nodes.map((n) => n.url).join(','), nodes.length, processes);
      } catch (err) {
        for (const n of nodes) await n.stop();
        throw err;
      }
      setups.push({ name, nodes, clients, calls: 0, opsPerSec: [], nodeCpuUsPerCall: [], clientCpuUsPerCall: [], busyPercent: [], othersPercent: [], nodeCpu: [] });
    }
    for (const s of setups) await measure(s, total / 2, false);
    for (let round = 0; round < ROUNDS; round++) for (const s of setups) await measure(s, total, true);
    for (const s of setups) await verify(s);

    const ops = Object.fromEntries(setups.map((s) => [s.name, median(s.opsPerSec)]));
    const one = ops['1 node']!;
    const three = ops['3 nodes rf1']!;
    const cores = os.availableParallelism();
    const notes = setups.map((s) => {
      const shares = s.nodes.length > 1 ? `; node CPU split ${s.nodeCpu.map((c) => `${Math.round((c / s.nodeCpu.reduce((a, b) => a + b, 0)) * 100)}%`).join('/')}` : '';
      return `${s.name}: ${Math.round(ops[s.name]!)} ops/s (runs ${s.opsPerSec.map((x) => Math.round(x)).join(', ')}); CPU per call: nodes ${median(s.nodeCpuUsPerCall).toFixed(1)} us, clients ${median(s.clientCpuUsPerCall).toFixed(1)} us; nodes + clients busy ${Math.round(median(s.busyPercent))}% of ${cores} cores, other processes ${Math.round(median(s.othersPercent))}%${shares}`;
    });
    notes.push(
      `${cores} cores shared by the node processes and ${processes} client processes (${processes * CLIENTS_PER_PROCESS} clients x ${WINDOW} outstanding): ` +
        'when the machine is near 100% busy, throughput is CPU per call (nodes + clients) over the cores, so 3 nodes cannot scale linearly here; ' +
        'rf 2 adds the backup\'s apply and the replication messages to every call.',
    );
    return {
      scenario: 'cluster-throughput',
      what: `AtomicLong.incrementAndGet over ${KEYS.length} keys, ${processes} client processes x ${CLIENTS_PER_PROCESS} clients x ${WINDOW} outstanding, each node its own process`,
      skein: Object.fromEntries(setups.map((s) => [`${s.name} ops/s`, ops[s.name]!])),
      peers: {},
      ratios: {
        '3 nodes rf1 / 1 node': three / one,
        '3 nodes rf2 / 3 nodes rf1': ops['3 nodes rf2']! / three,
        'journal / no journal (1 node)': ops['1 node journal']! / one,
      },
      targets: {},
      notes,
    };
  } finally {
    for (const s of setups) {
      await s.clients.stop();
      for (const n of s.nodes) await n.stop();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
