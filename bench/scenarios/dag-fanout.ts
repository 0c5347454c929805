/**
 * `dag-fanout`: 1 -> 32 -> 1 as a DAG on the local backend (an inc, 32 incs of its result, a sum:
 * the source's worker runs one of the 32 in place and has the others started through its parent)
 * against the client doing the same with `task.run` (the source, then `Promise.all` of 32, then the
 * sum), and against Dask (`client.submit` with futures), one run outstanding at a time. Runs
 * alternate in blocks.
 */
import { dag, type DagNode } from '../../src/index.ts';
import { daskMissing, runDaskScript } from '../peers/dask.ts';
import { HANG_LIMITS } from '../app-runs.ts';
import { latency, timeSequential } from '../support.ts';
import type { ScenarioResult } from '../result.ts';
import { inc, total } from '../tasks/dag-steps.ts';
import { withDagRuntime } from './dag-runtime.ts';

const BLOCKS = 5;
const WIDTH = 32;

/** Runs the scenario: `runs` fan-outs per side. */
export async function dagFanout(runs = 300): Promise<ScenarioResult> {
  const ids = Array.from({ length: WIDTH }, (_, i) => `m${i}`);
  const nodes: Record<string, DagNode> = { src: { task: inc } };
  for (const [i, id] of ids.entries()) nodes[id] = { task: inc, args: [i], after: ['src'] };
  nodes.out = { task: total, after: ids };
  const d = dag<number, number>('bench-fanout', nodes);
  const byClient = async (x: number): Promise<number> => {
    const s = await inc.run(x);
    const mids = await Promise.all(ids.map((_, i) => inc.run([i, s])));
    return total.run(mids);
  };
  const expected = (x: number): number => WIDTH * (x + 2);
  const [dSamples, cSamples] = await withDagRuntime(async () => {
    if ((await d.call(0)) !== expected(0) || (await byClient(0)) !== expected(0)) throw new Error('dag-fanout: a wrong sum');
    await timeSequential(50, () => d.call(1));
    await timeSequential(50, () => byClient(1));
    const per = Math.ceil(runs / BLOCKS);
    const ds: number[] = [];
    const cs: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      cs.push(...(await timeSequential(per, () => byClient(1))));
      ds.push(...(await timeSequential(per, () => d.call(1))));
    }
    return [ds, cs];
  });
  const dl = latency(dSamples);
  const cl = latency(cSamples);
  const result: ScenarioResult = {
    scenario: 'dag-fanout',
    what: `1 -> ${WIDTH} -> 1 inc tasks: a DAG on the local backend vs the client with Promise.all of task.run, vs Dask; p50 of ${runs} runs`,
    skein: { p50_us: dl.p50, p99_us: dl.p99 },
    peers: { 'client Promise.all of task.run': { p50_us: cl.p50, p99_us: cl.p99 } },
    ratios: { 'dag vs client Promise.all': dl.p50 / cl.p50 },
    targets: {},
    notes: [],
  };
  const missing = await daskMissing();
  if (missing) {
    result.notes!.push(missing);
    return result;
  }
  const dask = (await runDaskScript('dask_dag.py', [String(Math.min(runs, 200)), 'fanout'], HANG_LIMITS.capMs, 'dag-fanout')) as { fanout: { p50_us: number; p99_us: number } };
  result.peers.dask = dask.fanout;
  result.ratios['Dask / dag'] = dask.fanout.p50_us / dl.p50;
  return result;
}
