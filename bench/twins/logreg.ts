/**
 * Logistic regression by full-batch gradient descent: each worker makes its own block of the
 * seeded examples (no data is shipped), then every iteration computes the gradient of the log loss
 * on its block and merges it into the global weights; the last worker to merge takes the step
 * (`learningRate / sqrt(iteration)` times the mean gradient, weights from zero, as Spark MLlib's
 * GradientDescent and Crucial's), and every worker goes on with the new weights.
 *
 * On plain worker_threads, the weights in shared memory: the multi-threaded program that
 * examples/logreg.ts ports to cloud threads.
 *
 *   node --import tsx bench/twins/logreg.ts        (same env vars as the Skein version)
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { blockBounds, logisticExamples, type LogisticSpec } from '../../examples/lib/datasets.ts';
import { envInt, envNumber } from '../../examples/lib/env.ts';
import { runWorker } from './ts-worker.ts';

/** What to fit and how: the data set, then the descent. */
export interface LogregParams extends LogisticSpec {
  /** Gradient steps. */
  iterations: number;
  /** Step size at the first iteration; iteration `t` uses `learningRate / sqrt(t)`. */
  learningRate: number;
  /** Threads, each with one block of the examples. */
  workers: number;
}

/** The model fitted. */
export interface LogregResult {
  weights: Float64Array;
  /** Iterations run. */
  iterations: number;
  /** Mean log loss over all examples, at the weights the last step started from. */
  loss: number;
}

/**
 * Takes one step: `weights -= learningRate / sqrt(round) * gradient / count`, where `sums` holds the
 * `features` gradient sums, then the loss sum and the count. Zeroes the sums and answers the mean
 * loss.
 */
function step(weights: Float64Array, sums: Float64Array, features: number, learningRate: number, round: number): number {
  const count = sums[features + 1]!;
  const rate = learningRate / Math.sqrt(round);
  for (let j = 0; j < features; j++) weights[j]! -= (rate * sums[j]!) / count;
  const loss = sums[features]! / count;
  sums.fill(0);
  return loss;
}

/**
 * The global weights in one SharedArrayBuffer: a lock, the number of workers that merged this
 * round, the round, then the weights, the running sums and the last loss. `update` merges under
 * the lock; the round's last merge takes the step; every caller returns once its round is done.
 */
class GlobalWeights {
  private readonly state: Int32Array;
  private readonly weights: Float64Array;
  private readonly sums: Float64Array;
  private readonly loss: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly features: number, readonly workers: number, readonly learningRate: number) {
    this.state = new Int32Array(buffer, 0, 3);
    this.weights = new Float64Array(buffer, 16, features);
    this.sums = new Float64Array(buffer, 16 + 8 * features, features + 2);
    this.loss = new Float64Array(buffer, 16 + 8 * (2 * features + 2), 1);
  }
  static create(features: number, workers: number, learningRate: number): GlobalWeights {
    return new GlobalWeights(new SharedArrayBuffer(16 + 8 * (2 * features + 3)), features, workers, learningRate);
  }
  /** A view, not a copy: the weights change only in a round every worker has merged into. */
  update(partial: Float64Array): { weights: Float64Array; loss: number } {
    const round = Atomics.load(this.state, 2);
    while (Atomics.compareExchange(this.state, 0, 0, 1) !== 0) Atomics.wait(this.state, 0, 1);
    for (let i = 0; i < partial.length; i++) this.sums[i]! += partial[i]!;
    if (Atomics.add(this.state, 1, 1) === this.workers - 1) {
      this.loss[0] = step(this.weights, this.sums, this.features, this.learningRate, round + 1);
      Atomics.store(this.state, 1, 0);
      Atomics.add(this.state, 2, 1);
      Atomics.notify(this.state, 2);
    }
    Atomics.store(this.state, 0, 0);
    Atomics.notify(this.state, 0, 1);
    while (Atomics.load(this.state, 2) === round) Atomics.wait(this.state, 2, round);
    return { weights: this.weights, loss: this.loss[0]! };
  }
  current(): { weights: Float64Array; loss: number } {
    return { weights: this.weights, loss: this.loss[0]! };
  }
}

/**
 * Puts the log-loss gradient of the examples `x`, `y` at `weights` into `partial`: `features`
 * gradient sums, then the loss sum and the count. The dot product runs four sums at once so the
 * additions do not wait on each other.
 */
function gradient(x: Float64Array, y: Float64Array, weights: Float64Array, partial: Float64Array, features: number): void {
  partial.fill(0);
  const features4 = features & ~3;
  for (let i = 0, o = 0; i < y.length; i++, o += features) {
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    let j = 0;
    for (; j < features4; j += 4) {
      z0 += x[o + j]! * weights[j]!;
      z1 += x[o + j + 1]! * weights[j + 1]!;
      z2 += x[o + j + 2]! * weights[j + 2]!;
      z3 += x[o + j + 3]! * weights[j + 3]!;
    }
    for (; j < features; j++) z0 += x[o + j]! * weights[j]!;
    const z = z0 + z1 + z2 + z3;
    const e = Math.exp(-z);
    const error = 1 / (1 + e) - y[i]!;
    for (j = 0; j < features; j++) partial[j]! += error * x[o + j]!;
    // -log(sigmoid(z)) = log(1 + e^-z); -log(1 - sigmoid(z)) adds z.
    partial[features]! += Math.log1p(e) + (1 - y[i]!) * z;
  }
  partial[features + 1] = y.length;
}

interface WorkerArgs {
  params: LogregParams;
  worker: number;
  weights: GlobalWeights;
}

/** One worker: its block of examples, then gradient and merge, every iteration. */
function logregWorker({ params, worker, weights }: WorkerArgs): { iterations: number } {
  const { features } = params;
  const [from, to] = blockBounds(params.points, params.workers, worker);
  const { x, y } = logisticExamples(params, from, to);
  const partial = new Float64Array(features + 2);
  let current: { weights: Float64Array } = { weights: new Float64Array(features) };
  let iterations = 0;
  while (iterations < params.iterations) {
    gradient(x, y, current.weights, partial, features);
    current = weights.update(partial);
    iterations++;
  }
  return { iterations };
}

if (!isMainThread && workerData?.twin === 'logreg') {
  const { params, worker, weights } = workerData as { params: LogregParams; worker: number; weights: SharedArrayBuffer };
  parentPort!.postMessage(
    logregWorker({ params, worker, weights: new GlobalWeights(weights, params.features, params.workers, params.learningRate) }),
  );
}

/** Fits logistic regression on `params.workers` threads, from zero weights. */
export async function runLogreg(params: LogregParams): Promise<LogregResult> {
  const weights = GlobalWeights.create(params.features, params.workers, params.learningRate);
  const threads = Array.from({ length: params.workers }, (_, worker) =>
    runWorker<{ iterations: number }>(import.meta.url, { twin: 'logreg', params, worker, weights: weights.buffer }),
  );
  const results = await Promise.all(threads);
  const last = weights.current();
  return { weights: last.weights.slice(), iterations: results[0]!.iterations, loss: last.loss };
}

/** Fits logistic regression sized by POINTS, FEATURES, ITERATIONS, LEARNING_RATE, THREADS and SEED; answers a summary line. */
export default async function main(): Promise<string> {
  const params: LogregParams = {
    points: envInt('POINTS', 20_000, { min: 1 }),
    features: envInt('FEATURES', 20, { min: 1 }),
    iterations: envInt('ITERATIONS', 50, { min: 1 }),
    learningRate: envNumber('LEARNING_RATE', 1, { min: Number.MIN_VALUE }),
    workers: envInt('THREADS', os.availableParallelism(), { min: 1 }),
    seed: envInt('SEED', 1),
  };
  const started = performance.now();
  const { iterations, loss } = await runLogreg(params);
  const seconds = (performance.now() - started) / 1000;
  return `logistic regression: ${params.points} examples x ${params.features} features, ${iterations} iterations (log loss ${loss.toFixed(4)}) on ${params.workers} threads in ${seconds.toFixed(2)} s`;
}

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) console.log(await main());
