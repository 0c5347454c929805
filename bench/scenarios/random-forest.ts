/**
 * `random-forest`: Crucial's port of Smile's random forest, 48 trees (maximum depth 20, node size
 * 5) on 20k examples x 16 features, one thread per core: examples/random-forest.ts against its
 * worker_threads twin, timed as bench/app-runs.ts describes. Target: Skein's time <= 1.15x the
 * twin's. Checked: the warm-up twin's forest labels over 85% of the 5000 held-out examples right
 * (its noise-free rule about 95%), and every other run grows exactly its trees.
 */
import os from 'node:os';
import { runForest } from '../../examples/random-forest.ts';
import type { ForestParams, ForestResult } from '../../examples/lib/random-forest-core.ts';
import { runForest as runTwin } from '../twins/random-forest.ts';
import { appResult, timeApp } from '../app-runs.ts';
import type { ScenarioResult } from '../result.ts';

/** Runs the scenario; `params` overrides the sizes above. */
export async function randomForest(params: Partial<ForestParams> = {}): Promise<ScenarioResult> {
  const p: ForestParams = { points: 20_000, features: 16, trees: 48, maxDepth: 20, nodeSize: 5, heldOut: 5000, workers: os.availableParallelism(), seed: 1, ...params };
  const times = await timeApp<ForestResult>({
    app: 'random-forest',
    skein: () => runForest(p),
    twin: () => runTwin(p),
    processes: { app: 'examples/random-forest.ts', twin: 'bench/twins/random-forest.ts', run: 'runForest', params: p },
    check(r, which, reference) {
      if (r.trees.length !== p.trees) throw new Error(`random-forest: ${which} grew ${r.trees.length} trees, not ${p.trees}`);
      if (reference === undefined) {
        if (!(r.accuracy > 0.85)) throw new Error(`random-forest: ${which} has held-out accuracy ${r.accuracy}`);
        return;
      }
      r.trees.forEach((tree, t) => {
        const want = reference.trees[t]!;
        if (tree.length !== want.length || tree.some((v, i) => v !== want[i])) throw new Error(`random-forest: ${which}'s tree ${t} differs from the twin's`);
      });
      if (r.accuracy !== reference.accuracy) throw new Error(`random-forest: ${which} has accuracy ${r.accuracy}, the twin ${reference.accuracy}`);
    },
  });
  return appResult('random-forest', `random forest, ${p.trees} trees on ${p.points} x ${p.features}, ${p.workers} threads`, times, { time: 1.15 });
}
