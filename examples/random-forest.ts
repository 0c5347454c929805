/**
 * Random forest: main draws the seeded training set, cloud threads each train a contiguous block
 * of the trees from it (examples/lib/random-forest-core.ts: bootstrap samples, random feature
 * subsets, CART trees with Gini impurity) and main collects the trees and measures the forest's
 * accuracy on held-out examples.
 *
 * On cloud threads, the training set in an `AtomicMatrix` (a row per feature, then the labels)
 * that each thread reads once, and the trees written to a `SharedMap` by tree index (as Crucial's
 * port of Smile's random forest): a port of the worker_threads program
 * bench/twins/random-forest.ts.
 *
 *   npx skein run examples/random-forest.ts
 *   POINTS=20000 FEATURES=16 TREES=64 THREADS=8 SEED=1 npx skein run examples/random-forest.ts --backend process
 */
import os from 'node:os';
import { AtomicMatrix, CloudThread, SharedMap, task } from 'skein';
import { blockBounds, forestExamples } from './lib/datasets.ts';
import { envInt } from './lib/env.ts';
import { checkForestParams, forestAccuracy, toColumns, trainTree, TrainingSet, type ForestParams, type ForestResult } from './lib/random-forest-core.ts';

interface WorkerArgs {
  params: ForestParams;
  worker: number;
  data: AtomicMatrix;
  trees: SharedMap<number, Float64Array>;
}

/** One worker: reads the training set once, then trains its block of the trees. */
export const forestWorker = task('forest.worker', async ({ params, worker, data, trees }: WorkerArgs) => {
  const set = new TrainingSet(await data.toArray());
  const [from, to] = blockBounds(params.trees, Math.min(params.workers, params.trees), worker);
  for (let t = from; t < to; t++) await trees.set(t, trainTree(set, t, params));
  return to - from;
});

/**
 * Trains the forest on `params.workers` threads and tests it on the held-out examples. Its
 * objects, `forest.data` and `forest.trees`, are made afresh: one run at a time per DSO.
 */
export async function runForest(params: ForestParams): Promise<ForestResult> {
  checkForestParams(params);
  const data = new AtomicMatrix({ key: 'forest.data', forceNew: true }, params.features + 1, params.points);
  await data.add(toColumns(forestExamples(params, 0, params.points)));
  const trees = new SharedMap<number, Float64Array>({ key: 'forest.trees', forceNew: true });
  await trees.size();
  const threads = Array.from({ length: Math.min(params.workers, params.trees) }, (_, worker) =>
    new CloudThread(forestWorker, { params, worker, data, trees }).start().join(),
  );
  await Promise.all(threads);
  const forest = (await trees.entries()).sort(([a], [b]) => a - b).map(([, tree]) => tree);
  return { trees: forest, accuracy: forestAccuracy(forest, forestExamples(params, params.points, params.points + params.heldOut)) };
}

/** Trains a forest sized by POINTS, FEATURES, TREES, MAX_DEPTH, NODE_SIZE, HELD_OUT, THREADS and SEED; answers a summary line. */
export default async function main(): Promise<string> {
  const params: ForestParams = {
    points: envInt('POINTS', 20_000, { min: 1 }),
    features: envInt('FEATURES', 16, { min: 4 }),
    trees: envInt('TREES', 64, { min: 1 }),
    maxDepth: envInt('MAX_DEPTH', 20, { min: 0 }),
    nodeSize: envInt('NODE_SIZE', 5, { min: 1 }),
    heldOut: envInt('HELD_OUT', 5000, { min: 1 }),
    workers: envInt('THREADS', os.availableParallelism(), { min: 1 }),
    seed: envInt('SEED', 1),
  };
  const started = performance.now();
  const { accuracy } = await runForest(params);
  const seconds = (performance.now() - started) / 1000;
  return `random forest: ${params.trees} trees on ${params.points} points x ${params.features} features, held-out accuracy ${(100 * accuracy).toFixed(2)}% on ${params.workers} threads in ${seconds.toFixed(2)} s`;
}
