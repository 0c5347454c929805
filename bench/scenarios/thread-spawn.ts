/**
 * `thread-spawn`: spawn + join of an empty task on the local backend against piscina's `run` of
 * an empty function, both with one worker thread per core: latency with one outstanding, and
 * throughput of 10k tasks issued at once. Runs alternate in blocks.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { LocalBackend } from '../../src/runtime/backends/local.ts';
import { ServerlessExecutor } from '../../src/api/serverless-executor.ts';
import { empty } from '../tasks/empty.ts';
import { latency, timeSequential } from '../support.ts';
import type { ScenarioResult } from '../result.ts';

const BLOCKS = 5;

async function throughput(n: number, run: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: n }, run));
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Runs the scenario: `calls` sequential spawns per side and `batch` tasks for throughput. */
export async function threadSpawn(calls = 5000, batch = 10_000): Promise<ScenarioResult> {
  const threads = os.availableParallelism();
  const pool = new Piscina({
    filename: fileURLToPath(new URL('../peers/piscina-empty.mjs', import.meta.url)),
    minThreads: threads,
    maxThreads: threads,
  });
  const executor = new ServerlessExecutor({ backend: new LocalBackend({ workers: threads }) });
  try {
    const skeinOp = (): Promise<unknown> => executor.submit(empty, null);
    const piscinaOp = (): Promise<unknown> => pool.run(null);
    await timeSequential(1000, skeinOp);
    await timeSequential(1000, piscinaOp);
    await throughput(batch, skeinOp);
    await throughput(batch, piscinaOp);
    const per = Math.ceil(calls / BLOCKS);
    const s: number[] = [];
    const p: number[] = [];
    const sRate: number[] = [];
    const pRate: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      p.push(...(await timeSequential(per, piscinaOp)));
      s.push(...(await timeSequential(per, skeinOp)));
      pRate.push(await throughput(batch, piscinaOp));
      sRate.push(await throughput(batch, skeinOp));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const sl = latency(s);
    const pl = latency(p);
    const sr = median(sRate);
    const pr = median(pRate);
    return {
      scenario: 'thread-spawn',
      what: `spawn + join of an empty task, local backend vs piscina, ${threads} threads each`,
      skein: { p50_us: sl.p50, p99_us: sl.p99, tasks_per_s: sr },
      peers: { piscina: { p50_us: pl.p50, p99_us: pl.p99, tasks_per_s: pr } },
      ratios: { 'p50 vs piscina': sl.p50 / pl.p50, 'throughput vs piscina': sr / pr },
      targets: { 'p50 vs piscina': { max: 1.5 }, 'throughput vs piscina': { min: 0.7 } },
    };
  } finally {
    await executor.shutdown();
    await pool.destroy();
  }
}
