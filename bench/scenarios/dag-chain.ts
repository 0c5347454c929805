/**
 * `dag-chain`: a chain of 2 and of 10 `inc` tasks as a DAG on the local backend (the chain runs in
 * place in one worker; only the last result comes back) against the same tasks chained by the
 * client (`await inc.run(x)` in turn: every result comes back before the next starts), and against
 * Dask (`client.submit` chains on a LocalCluster), one run outstanding at a time. Runs alternate
 * in blocks.
 */
import { dag, type Dag } from '../../src/index.ts';
import { daskMissing, runDaskScript } from '../peers/dask.ts';
import { HANG_LIMITS } from '../app-runs.ts';
import { latency, timeSequential } from '../support.ts';
import type { ScenarioResult } from '../result.ts';
import { inc } from '../tasks/dag-steps.ts';
import { withDagRuntime } from './dag-runtime.ts';

const BLOCKS = 5;

/** A DAG of `n` inc nodes in a row. */
function chainDag(n: number): Dag<number, number> {
  const nodes: Record<string, { task: typeof inc; after?: string[] }> = {};
  for (let i = 0; i < n; i++) nodes[`s${i}`] = i === 0 ? { task: inc } : { task: inc, after: [`s${i - 1}`] };
  return dag(`bench-chain-${n}`, nodes);
}

async function clientChain(n: number, x: number): Promise<number> {
  for (let i = 0; i < n; i++) x = await inc.run(x);
  return x;
}

/** Runs the scenario: `runs` chains of each length per side. */
export async function dagChain(runs = 1000): Promise<ScenarioResult> {
  const skein = await withDagRuntime(async () => {
    const out: Record<string, { dag: number[]; client: number[] }> = {};
    for (const n of [2, 10]) {
      const d = chainDag(n);
      if ((await d.call(0)) !== n || (await clientChain(n, 0)) !== n) throw new Error(`dag-chain: a chain of ${n} did not add ${n}`);
      await timeSequential(200, () => d.call(1));
      await timeSequential(200, () => clientChain(n, 1));
      const per = Math.ceil(runs / BLOCKS);
      out[n] = { dag: [], client: [] };
      for (let b = 0; b < BLOCKS; b++) {
        out[n]!.client.push(...(await timeSequential(per, () => clientChain(n, 1))));
        out[n]!.dag.push(...(await timeSequential(per, () => d.call(1))));
      }
    }
    return out;
  });
  const d2 = latency(skein[2]!.dag);
  const c2 = latency(skein[2]!.client);
  const d10 = latency(skein[10]!.dag);
  const c10 = latency(skein[10]!.client);
  const result: ScenarioResult = {
    scenario: 'dag-chain',
    what: `chains of 2 and 10 inc tasks: a DAG on the local backend vs the client chaining task.run, vs Dask client.submit chains; p50 of ${runs} runs`,
    skein: { 'dag2 p50_us': d2.p50, 'dag2 p99_us': d2.p99, 'dag10 p50_us': d10.p50, 'dag10 p99_us': d10.p99 },
    peers: { 'client task.run chain': { '2 p50_us': c2.p50, '10 p50_us': c10.p50 } },
    ratios: { '2-chain vs client chain': d2.p50 / c2.p50, '10-chain vs client chain': d10.p50 / c10.p50 },
    targets: { '2-chain vs client chain': { max: 1.0 }, '10-chain vs client chain': { max: 1.0 } },
    notes: [],
  };
  const missing = await daskMissing();
  if (missing) {
    result.notes!.push(missing);
    return result;
  }
  const dask = (await runDaskScript('dask_dag.py', [String(Math.min(runs, 300)), 'chain'], HANG_LIMITS.capMs, 'dag-chain')) as {
    chain2: { p50_us: number };
    chain10: { p50_us: number };
  };
  result.peers.dask = { '2 p50_us': dask.chain2.p50_us, '10 p50_us': dask.chain10.p50_us };
  // Dask over Skein: how many times faster the DAG is.
  result.ratios['Dask 2-chain / dag'] = dask.chain2.p50_us / d2.p50;
  result.ratios['Dask 10-chain / dag'] = dask.chain10.p50_us / d10.p50;
  result.targets['Dask 2-chain / dag'] = { min: 10 };
  result.targets['Dask 10-chain / dag'] = { min: 10 };
  return result;
}
