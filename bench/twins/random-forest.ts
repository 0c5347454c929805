/**
 * Random forest: main draws the seeded training set, worker threads each train a contiguous block
 * of the trees from it (examples/lib/random-forest-core.ts: bootstrap samples, random feature
 * subsets, CART trees with Gini impurity) and main collects the trees and measures the forest's
 * accuracy on held-out examples.
 *
 * On plain worker_threads, the training set in one SharedArrayBuffer (a column per feature, then
 * the labels) and each worker's trees posted back to main: the multi-threaded program that
 * examples/random-forest.ts ports to cloud threads.
 *
 *   node --import tsx bench/twins/random-forest.ts        (same env vars as the Skein version)
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { blockBounds, forestExamples } from '../../examples/lib/datasets.ts';
import { envInt } from '../../examples/lib/env.ts';
import { checkForestParams, forestAccuracy, toColumns, trainTree, TrainingSet, type ForestParams, type ForestResult } from '../../examples/lib/random-forest-core.ts';
import { runWorker } from './ts-worker.ts';

interface WorkerArgs {
  params: ForestParams;
  worker: number;
  data: SharedArrayBuffer;
}

/** One worker: reads the training set once, then trains its block of the trees. */
function forestWorker({ params, worker, data }: WorkerArgs): Float64Array[] {
  const matrix = new Float64Array(data);
  const set = new TrainingSet(Array.from({ length: params.features + 1 }, (_, j) => matrix.subarray(j * params.points, (j + 1) * params.points)));
  const [from, to] = blockBounds(params.trees, Math.min(params.workers, params.trees), worker);
  const trees: Float64Array[] = [];
  for (let t = from; t < to; t++) trees.push(trainTree(set, t, params));
  return trees;
}

if (!isMainThread && workerData?.twin === 'random-forest') parentPort!.postMessage(forestWorker(workerData));

/** Trains the forest on `params.workers` threads and tests it on the held-out examples. */
export async function runForest(params: ForestParams): Promise<ForestResult> {
  checkForestParams(params);
  const data = new SharedArrayBuffer(8 * params.points * (params.features + 1));
  const matrix = new Float64Array(data);
  toColumns(forestExamples(params, 0, params.points)).forEach((column, j) => matrix.set(column, j * params.points));
  const threads = Array.from({ length: Math.min(params.workers, params.trees) }, (_, worker) =>
    runWorker<Float64Array[]>(import.meta.url, { twin: 'random-forest', params, worker, data }),
  );
  const forest = (await Promise.all(threads)).flat();
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

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) console.log(await main());
