/**
 * `retwis` (reported; the only targets are the anomalies a level promises away): examples/retwis.ts
 * under `eventual`, `read-your-writes` and `causal`, in one run. The node runs in its own process;
 * the users' threads on the local backend (one worker per core) of the bench's process. After one
 * warm-up run per level, each round runs every level once, the order turning round by round.
 * Reports each level's throughput (requests over the sessions' wall time; the median of its runs)
 * against `eventual`'s, and the anomalies the independent checker counts in the sessions' logs
 * (examples/lib/retwis-anomalies.ts), with the stored state checked against the logs.
 */
import os from 'node:os';
import { Client } from '../../src/client/client.ts';
import { setDefaultClient } from '../../src/client/default-client.ts';
import { configureRuntime, shutdownRuntime } from '../../src/runtime/runtime.ts';
import type { Consistency } from '../../src/index.ts';
import { checkStored, PROMISED, runRetwis, type RetwisParams } from '../../examples/retwis.ts';
import type { RetwisAnomalies } from '../../examples/lib/retwis-anomalies.ts';
import { median } from '../load.ts';
import type { ScenarioResult } from '../result.ts';
import { startDsoNode } from './dso-node.ts';

const LEVELS: readonly Consistency[] = ['eventual', 'read-your-writes', 'causal'];
const ROUNDS = 3;

/** Runs the scenario with `users` users, each session `segments` threads of `requests` requests. */
export async function retwis(users = 40, segments = 4, requests = 10): Promise<ScenarioResult> {
  const node = await startDsoNode();
  const savedDso = process.env.SKEIN_DSO;
  process.env.SKEIN_DSO = node.url;
  const client = new Client({ url: node.url });
  setDefaultClient(client);
  configureRuntime({ backend: 'local', workers: os.availableParallelism() });
  try {
    const size: Omit<RetwisParams, 'consistency'> = { users, segments, requests, maxFollows: 30, seed: 42 };
    for (const consistency of LEVELS) await runRetwis({ ...size, users: 20, segments: 1, consistency });
    const totals = new Map(LEVELS.map((l) => [l, { rates: [] as number[], requests: 0, seconds: 0, posts: 0, mismatches: 0, readYourWrites: 0, monotonic: 0, causal: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < LEVELS.length; j++) {
        const consistency = LEVELS[(round + j) % LEVELS.length]!;
        const run = await runRetwis({ ...size, consistency });
        const t = totals.get(consistency)!;
        t.rates.push(run.requests / run.seconds);
        t.requests += run.requests;
        t.seconds += run.seconds;
        t.posts += run.logs.reduce((n, l) => n + l.ops.filter((o) => o.op === 'post').length, 0);
        t.mismatches += (await checkStored(run)).length;
        for (const k of ['readYourWrites', 'monotonic', 'causal'] as const) t[k] += run.anomalies[k];
        process.stderr.write(`  retwis round ${round + 1} of ${ROUNDS}, ${consistency}: ${(run.requests / run.seconds).toFixed(0)} requests/s\n`);
      }
    }
    const throughput = (l: Consistency): number => median(totals.get(l)!.rates);
    const peers: ScenarioResult['peers'] = {};
    const ratios: Record<string, number> = {};
    const targets: ScenarioResult['targets'] = {};
    const notes: string[] = [];
    let skein: Record<string, number> = {};
    for (const level of LEVELS) {
      const { rates, requests: made, seconds, posts, mismatches, ...found } = totals.get(level)!;
      const figures = { requests_per_s: throughput(level), requests: made, ...found, stored_mismatches: mismatches };
      if (level === 'eventual') skein = figures;
      else {
        peers[level] = figures;
        ratios[`${level} throughput vs eventual`] = throughput(level) / throughput('eventual');
        const promised = PROMISED[level].reduce((a, k: keyof RetwisAnomalies) => a + found[k], 0);
        ratios[`${level} anomalies it promises away`] = promised;
        targets[`${level} anomalies it promises away`] = { max: 0 };
      }
      notes.push(
        `${level}: ${made} requests (${posts} posts) in ${seconds.toFixed(2)} s over ${ROUNDS} runs (${rates.map((r) => r.toFixed(0)).join(', ')} requests/s); ` +
          `anomalies: read-your-writes ${found.readYourWrites}, monotonic ${found.monotonic}, causal ${found.causal}; stored-state mismatches ${mismatches}`,
      );
    }
    return {
      scenario: 'retwis',
      what: `${users} users x ${segments} threads x ${requests} requests per level and round, ${ROUNDS} rounds; local backend, node in its own process; figures: eventual`,
      skein,
      peers,
      ratios,
      targets,
      notes,
    };
  } finally {
    await shutdownRuntime();
    await client.close();
    setDefaultClient(undefined);
    await node.stop();
    if (savedDso === undefined) delete process.env.SKEIN_DSO;
    else process.env.SKEIN_DSO = savedDso;
  }
}
