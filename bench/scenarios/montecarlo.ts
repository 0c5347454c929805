/**
 * `montecarlo`: pi from 2e8 samples on one thread per core, examples/montecarlo.ts against its
 * worker_threads twin, timed as bench/app-runs.ts describes (cold Skein runs include what
 * `skein run` starts; warm runs reuse the session). Target: Skein's speed >= 0.9x the twin's.
 * Checked: both draw the same seeded samples, so every run must count exactly the hits of the
 * warm-up twin run, and that count must give pi within 6e-4 (about five standard deviations).
 */
import os from 'node:os';
import { runMontecarlo } from '../../examples/montecarlo.ts';
import { runMontecarlo as runTwin } from '../twins/montecarlo.ts';
import { appResult, timeApp } from '../app-runs.ts';
import type { ScenarioResult } from '../result.ts';

/** Runs the scenario with `samples` samples on `threads` threads. */
export async function montecarlo(samples = 2e8, threads = os.availableParallelism()): Promise<ScenarioResult> {
  const params = { samples, threads };
  const times = await timeApp<number>({
    app: 'montecarlo',
    skein: () => runMontecarlo(params),
    twin: () => runTwin(params),
    processes: { app: 'examples/montecarlo.ts', twin: 'bench/twins/montecarlo.ts', run: 'runMontecarlo', params },
    check(hits, which, reference) {
      const pi = (4 * hits) / samples;
      if (!(Math.abs(pi - Math.PI) < 6e-4)) throw new Error(`montecarlo: ${which} gave pi ~ ${pi}`);
      if (reference !== undefined && hits !== reference) throw new Error(`montecarlo: ${which} counted ${hits} hits, the twin ${reference}`);
    },
  });
  return appResult('montecarlo', `pi from ${samples.toExponential(0)} samples on ${threads} threads`, times, { speed: 0.9 });
}
