/**
 * `logreg`: logistic regression, 200k examples x 20 features, 50 gradient steps, one thread per
 * core: examples/logreg.ts against its worker_threads twin, timed as bench/app-runs.ts describes.
 * Target: Skein's time <= 1.15x the twin's. Checked: 50 iterations, a loss below that of zero
 * weights, and weights within 1e-6 of the warm-up twin run's (the same seeded data and steps).
 */
import os from 'node:os';
import { runLogreg, type LogregParams, type LogregResult } from '../../examples/logreg.ts';
import { runLogreg as runTwin } from '../twins/logreg.ts';
import { appResult, timeApp } from '../app-runs.ts';
import type { ScenarioResult } from '../result.ts';

/** Runs the scenario; `params` overrides the BENCHMARKS.md sizes. */
export async function logreg(params: Partial<LogregParams> = {}): Promise<ScenarioResult> {
  const p: LogregParams = { points: 200_000, features: 20, iterations: 50, learningRate: 1, workers: os.availableParallelism(), seed: 1, ...params };
  const times = await timeApp<LogregResult>({
    app: 'logreg',
    skein: () => runLogreg(p),
    twin: () => runTwin(p),
    processes: { app: 'examples/logreg.ts', twin: 'bench/twins/logreg.ts', run: 'runLogreg', params: p },
    check(r, which, reference) {
      if (r.iterations !== p.iterations) throw new Error(`logreg: ${which} ran ${r.iterations} iterations, not ${p.iterations}`);
      if (!(r.loss < Math.log(2))) throw new Error(`logreg: ${which} ended with log loss ${r.loss}`);
      r.weights.forEach((w, j) => {
        const want = reference?.weights[j];
        if (want !== undefined && !(Math.abs(w - want) < 1e-6)) throw new Error(`logreg: ${which} weight ${j} is ${w}, the twin's ${want}`);
      });
    },
  });
  return appResult('logreg', `logistic regression, ${p.points} x ${p.features}, ${p.iterations} iterations, ${p.workers} threads`, times, { time: 1.15 });
}
