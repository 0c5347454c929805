/**
 * `consistency-cost` (reported, no target on time): one mixed workload of lattice sessions under
 * each consistency level. 4 client processes (each its own cache, and one worker thread with a
 * cache of its own for the threads sessions spawn) run sessions one after another, each 6 reads
 * and writes (2 reads to 1 write) over LwwRegisters and PnCounters drawn Zipf-like from 100 keys,
 * a quarter of them also writing their process's causal pair, a quarter reading another's, one in
 * 8 running part of it in a spawned thread; node in another process. Each level has keys of its
 * own; rounds alternate the levels. Reports each level's session time (p50, p99; `end()` included)
 * against `eventual`'s, and the anomalies an independent checker finds in the sessions' logs
 * (consistency-checker.ts): the levels must show none of those they promise away.
 */
import { fileURLToPath } from 'node:url';
import type { Consistency } from '../../src/index.ts';
import type { ScenarioResult } from '../result.ts';
import { BenchChildren, latency } from '../support.ts';
import { countAnomalies, type Anomalies } from './consistency-checker.ts';
import type { ConsistencyConfig, SessionLog, SessionsRequest } from './consistency-clients.ts';
import { startDsoNode } from './dso-node.ts';

const PROCESSES = 4;
const KEYS = 100;
const ROUNDS = 4;
const LEVELS: readonly Consistency[] = ['eventual', 'read-your-writes', 'repeatable-read', 'causal'];
/** What each level promises away, by the checker's names. */
const PROMISED: Record<Consistency, ReadonlyArray<keyof Anomalies>> = {
  eventual: [],
  'read-your-writes': ['readYourWrites', 'monotonic'],
  'repeatable-read': ['repeatableRead'],
  causal: ['readYourWrites', 'monotonic', 'causal'],
};

/** Runs the scenario with `sessions` sessions per process, level and round. */
export async function consistencyCost(sessions = 60): Promise<ScenarioResult> {
  const node = await startDsoNode();
  let children: BenchChildren<SessionsRequest, SessionLog[]> | undefined;
  process.env.SKEIN_DSO = node.url;
  try {
    const entry = fileURLToPath(new URL('./consistency-clients.ts', import.meta.url));
    const configs: ConsistencyConfig[] = Array.from({ length: PROCESSES }, (_, index) => ({ index, processes: PROCESSES, keys: KEYS, seed: 1000 + index }));
    children = await BenchChildren.start<SessionsRequest, SessionLog[]>(entry, configs);
    // Warm-up: workers started, tsx loaded, each level's keys created and cached.
    for (const level of LEVELS) await children.ask({ level, sessions: 10 });
    const recorded = new Map<Consistency, SessionLog[]>(LEVELS.map((l) => [l, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < LEVELS.length; j++) {
        const level = LEVELS[(round + j) % LEVELS.length]!;
        for (const logs of await children.ask({ level, sessions })) recorded.get(level)!.push(...logs);
      }
    }
    await children.stop();
    children = undefined;
    const skein: Record<string, number> = {};
    const peers: ScenarioResult['peers'] = {};
    const ratios: Record<string, number> = {};
    const targets: ScenarioResult['targets'] = {};
    const notes: string[] = [];
    const base = latency(recorded.get('eventual')!.map((s) => s.ns));
    for (const level of LEVELS) {
      const logs = recorded.get(level)!;
      const l = latency(logs.map((s) => s.ns));
      const found = countAnomalies(logs.map((s) => s.log));
      const figures = { p50_us: l.p50, p99_us: l.p99, sessions: l.n, ...found };
      if (level === 'eventual') Object.assign(skein, figures);
      else {
        peers[level] = figures;
        ratios[`${level} p50 vs eventual`] = l.p50 / base.p50;
        ratios[`${level} p99 vs eventual`] = l.p99 / base.p99;
        ratios[`${level} anomalies it promises away`] = PROMISED[level].reduce((a, k) => a + found[k], 0);
        targets[`${level} anomalies it promises away`] = { max: 0 };
      }
      const ops = logs.reduce((a, s) => a + s.log.length, 0);
      const spawned = logs.filter((s) => s.spawned).length;
      notes.push(
        `${level}: ${l.n} sessions (${spawned} spanning a thread), ${ops} operations; anomalies: read-your-writes ${found.readYourWrites}, monotonic ${found.monotonic}, repeatable-read ${found.repeatableRead}, causal ${found.causal}`,
      );
    }
    return {
      scenario: 'consistency-cost',
      what: `${PROCESSES} processes x ${ROUNDS} rounds x ${sessions} sessions per level, 6 ops over ${KEYS} Zipf keys (+ causal pairs, 1 in 8 spanning a thread); figures: eventual`,
      skein,
      peers,
      ratios,
      targets,
      notes,
    };
  } finally {
    delete process.env.SKEIN_DSO;
    await children?.stop();
    await node.stop();
  }
}
