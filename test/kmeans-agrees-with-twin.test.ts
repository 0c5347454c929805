import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { GlobalCentroids, runKmeans, type KmeansParams, type KmeansResult } from '../examples/kmeans.ts';
import { blobCentres } from '../examples/lib/datasets.ts';
import { runKmeans as runTwin } from '../bench/twins/kmeans.ts';
import { runSkein, stopSkeins } from './support/node.ts';
import { useAppNode } from './support/app-node.ts';

useAppNode({ objects: [GlobalCentroids] });

// Three threads on two workers: threads waiting at the barrier must not hold up the others.
// Clusters close enough that Lloyd's takes several iterations (seven for this seed).
const PARAMS: KmeansParams = { points: 6000, dims: 3, k: 8, iterations: 20, workers: 3, seed: 7, threshold: 1e-9 };

function assertSameCentroids(actual: KmeansResult, expected: KmeansResult, what: string): void {
  assert.equal(actual.centroids.length, expected.centroids.length);
  actual.centroids.forEach((row, c) =>
    row.forEach((v, d) => assert.ok(Math.abs(v - expected.centroids[c]![d]!) < 1e-9, `${what}: centroid ${c}[${d}] ${v} vs ${expected.centroids[c]![d]}`)),
  );
}

test('the cloud-thread k-means and its worker_threads twin converge to the same centroids, the planted centres', async () => {
  const skeinResult = await runKmeans(PARAMS);
  const twinResult = await runTwin(PARAMS);

  assert.equal(skeinResult.iterations, twinResult.iterations);
  assert.ok(skeinResult.iterations > 2 && skeinResult.iterations < PARAMS.iterations, `stopped at the threshold, not the bound: ${skeinResult.iterations}`);
  assert.ok(skeinResult.shift < PARAMS.threshold && twinResult.shift < PARAMS.threshold);
  assertSameCentroids(skeinResult, twinResult, 'skein vs twin');

  // Centroid c starts at point c, which belongs to planted cluster c; with 750 points of unit
  // noise per cluster its mean is within a few hundredths per dimension of the centre.
  const centres = blobCentres(PARAMS);
  skeinResult.centroids.forEach((row, c) => {
    const distance = Math.hypot(...row.map((v, d) => v - centres[c * PARAMS.dims + d]!));
    assert.ok(distance < 0.25, `centroid ${c} is ${distance} from its planted centre`);
  });

  // The data is the same however it is split: two threads find the same centroids as three.
  assertSameCentroids(await runKmeans({ ...PARAMS, workers: 2 }), skeinResult, '2 vs 3 threads');
});

test('with threshold 0 both run every iteration', async () => {
  const params = { ...PARAMS, iterations: 4, threshold: 0 };
  const [skeinResult, twinResult] = [await runKmeans(params), await runTwin(params)];
  assert.equal(skeinResult.iterations, 4);
  assert.equal(twinResult.iterations, 4);
  assertSameCentroids(skeinResult, twinResult, 'skein vs twin');
});

after(stopSkeins);

test('skein run examples/kmeans.ts clusters the env-sized data set and exits 0', { timeout: 30_000 }, async () => {
  const out = await runSkein(['run', 'examples/kmeans.ts'], {
    SKEIN_DSO: undefined,
    SKEIN_TOKEN: undefined,
    POINTS: '4000',
    DIMS: '4',
    K: '3',
    ITERATIONS: '10',
    THREADS: '2',
    SEED: '3',
  });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^k-means: 4000 points x 4 dims, k = 3, \d+ iterations \(last shift .+\) on 2 threads in \d+\.\d+ s$/m);
});
