/**
 * `kmeans`: Lloyd's k-means, 200k points x 100 dimensions, k = 25, 10 iterations (threshold 0,
 * so all 10 run), one thread per core: examples/kmeans.ts against its worker_threads twin, timed
 * as bench/app-runs.ts describes, and against Dask (bench/peers/dask_kmeans.py, one worker process
 * per core) when Debian's python3 has distributed and numpy, else recorded as skipped.
 *
 * Targets: Skein's time <= 1.15x the twin's, and >= 3x faster than Dask. The Dask ratios compare
 * whole runs: Dask's process start (imports), cluster start and first run against a cold Skein
 * run, and a Dask run on its running cluster against a warm Skein run; both include generating
 * the data on the workers. Dask's data are drawn with numpy's generator (same shape and
 * distribution, different numbers) and its partial sums are vectorised numpy; the JS apps use
 * scalar loops. Dask runs once per scenario after the Skein/twin rounds (its own process, so it
 * cannot alternate run by run).
 *
 * Checked: every run makes 10 iterations; the warm-up twin's centroids lie within 0.25 of the
 * planted centres; every other run's centroids equal the warm-up twin's within 1e-6 (same seeded
 * data); Dask's lie within 0.25 of its planted centres.
 */
import os from 'node:os';
import { CyclicBarrier } from '../../src/api/cyclic-barrier.ts';
import { GlobalCentroids, runKmeans, type KmeansParams, type KmeansResult } from '../../examples/kmeans.ts';
import { blobCentres } from '../../examples/lib/datasets.ts';
import { runKmeans as runTwin } from '../twins/kmeans.ts';
import { HANG_LIMITS, appResult, benchRuns, timeApp } from '../app-runs.ts';
import { daskMissing, runDaskKmeans } from '../peers/dask.ts';
import type { ScenarioResult } from '../result.ts';

/** Runs the scenario; `params` overrides the BENCHMARKS.md sizes. */
export async function kmeans(params: Partial<KmeansParams> = {}): Promise<ScenarioResult> {
  const p: KmeansParams = { points: 200_000, dims: 100, k: 25, iterations: 10, workers: os.availableParallelism(), seed: 1, threshold: 0, ...params };
  const centres = blobCentres(p);
  const times = await timeApp<KmeansResult>({
    app: 'kmeans',
    skein: () => runKmeans(p),
    twin: () => runTwin(p),
    processes: { app: 'examples/kmeans.ts', twin: 'bench/twins/kmeans.ts', run: 'runKmeans', params: p },
    check(r, which, reference) {
      if (r.iterations !== p.iterations) throw new Error(`kmeans: ${which} ran ${r.iterations} iterations, not ${p.iterations}`);
      r.centroids.forEach((row, c) => {
        if (reference === undefined) {
          const off = Math.hypot(...row.map((v, d) => v - centres[c * p.dims + d]!));
          if (!(off < 0.25)) throw new Error(`kmeans: ${which} centroid ${c} is ${off} from its planted centre`);
        } else {
          row.forEach((v, d) => {
            const want = reference.centroids[c]![d]!;
            if (!(Math.abs(v - want) < 1e-6)) throw new Error(`kmeans: ${which} centroid ${c}[${d}] is ${v}, the twin's ${want}`);
          });
        }
      });
    },
    async diagnose(client) {
      const barrier = new CyclicBarrier({ key: 'kmeans.barrier', client });
      // Opening by key: the constructor's arguments apply only if the object were missing.
      const { shift } = await new GlobalCentroids({ key: 'kmeans.centroids', client }, p.k, p.dims, p.workers, new Float64Array(p.k * p.dims)).current();
      return `barrier: ${await barrier.waiting()} of ${await barrier.parties()} parties waiting; centroids' last shift ${shift}`;
    },
  });
  const result = appResult('kmeans', `k-means ${p.points} x ${p.dims}, k = ${p.k}, ${p.iterations} iterations, ${p.workers} threads`, times, { time: 1.15 });

  const missing = await daskMissing();
  if (missing) {
    process.stderr.write(`${missing}\n`);
    result.what += `; ${missing}`;
    return result;
  }
  const dask = await runDaskKmeans(p, benchRuns(), HANG_LIMITS.capMs);
  if (!(dask.max_centroid_error < 0.25)) throw new Error(`kmeans: a Dask centroid is ${dask.max_centroid_error} from its planted centre`);
  result.peers.dask = {
    whole_first_run_s: dask.first_total_s,
    import_s: dask.import_s,
    cluster_start_s: dask.cluster_start_s,
    run_s: dask.run_s,
    generate_s: dask.generate_s,
    iterations_s: dask.iterations_s,
  };
  result.ratios['Dask whole run / Skein cold'] = dask.first_total_s / (times.processes?.skeinMedian ?? times.coldMedian);
  result.ratios['Dask warm run / Skein warm'] = dask.run_s / times.warmMedian;
  result.targets['Dask whole run / Skein cold'] = { min: 3 };
  result.targets['Dask warm run / Skein warm'] = { min: 3 };
  return result;
}
