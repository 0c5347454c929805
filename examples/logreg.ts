/**
 * Logistic regression by full-batch gradient descent: each worker makes its own block of the
 * seeded examples (no data is shipped), then every iteration computes the gradient of the log loss
 * on its block and merges it into the global weights; the last worker to merge takes the step
 * (`learningRate / sqrt(iteration)` times the mean gradient, weights from zero, as Spark MLlib's
 * GradientDescent and Crucial's), and every worker goes on with the new weights.
 *
 * On cloud threads, the weights a shared object (as Crucial's logistic regression): a port of the
 * worker_threads program bench/twins/logreg.ts.
 *
 *   npx skein run examples/logreg.ts
 *   POINTS=200000 FEATURES=20 ITERATIONS=50 THREADS=8 SEED=1 npx skein run examples/logreg.ts --backend process
 */
import os from 'node:os';
import { CloudThread, blockUntil, callState, sharedClass, task } from 'skein';
import { blockBounds, logisticExamples, type LogisticSpec } from './lib/datasets.ts';
import { envInt, envNumber } from './lib/env.ts';

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
 * The global weights, a shared object: the weights, the running sums, how many threads merged
 * this round, the round and the last loss. `update` runs on the node, one call at a time: it merges
 * once (`callState`), the round's last merge takes the step, and every caller returns once its
 * round is done (`blockUntil`), so one call per thread per iteration is also the barrier.
 */
export const GlobalWeights = sharedClass(
  'logreg.GlobalWeights',
  class {
    readonly weights: Float64Array;
    readonly sums: Float64Array;
    added = 0;
    round = 0;
    loss = Number.NaN;

    constructor(readonly features: number, readonly workers: number, readonly learningRate: number) {
      this.weights = new Float64Array(features);
      this.sums = new Float64Array(features + 2);
    }
    update(partial: Float64Array): { weights: Float64Array; loss: number } {
      const { round } = callState(() => this._merge(partial));
      blockUntil(this.round > round);
      return { weights: this.weights.slice(), loss: this.loss };
    }
    current(): { weights: Float64Array; loss: number } {
      return { weights: this.weights.slice(), loss: this.loss };
    }
    _merge(partial: Float64Array): { round: number } {
      if (!(partial instanceof Float64Array) || partial.length !== this.sums.length) throw new TypeError(`partial sums must be a Float64Array of ${this.sums.length}`);
      const round = this.round;
      for (let i = 0; i < partial.length; i++) this.sums[i]! += partial[i]!;
      if (++this.added === this.workers) {
        this.loss = step(this.weights, this.sums, this.features, this.learningRate, round + 1);
        this.added = 0;
        this.round++;
      }
      return { round };
    }
  },
  { atomic: true, readonly: ['current'] },
);
type GlobalWeights = InstanceType<typeof GlobalWeights>;

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
export const logregWorker = task('logreg.worker', async ({ params, worker, weights }: WorkerArgs) => {
  const { features } = params;
  const [from, to] = blockBounds(params.points, params.workers, worker);
  const { x, y } = logisticExamples(params, from, to);
  const partial = new Float64Array(features + 2);
  let current: { weights: Float64Array } = { weights: new Float64Array(features) };
  let iterations = 0;
  while (iterations < params.iterations) {
    gradient(x, y, current.weights, partial, features);
    current = await weights.update(partial);
    iterations++;
  }
  return { iterations };
});

/**
 * Fits logistic regression on `params.workers` threads, from zero weights. Its object,
 * `logreg.weights`, is made afresh: one run at a time per DSO.
 */
export async function runLogreg(params: LogregParams): Promise<LogregResult> {
  const weights = new GlobalWeights({ key: 'logreg.weights', forceNew: true }, params.features, params.workers, params.learningRate);
  await weights.current();
  const threads = Array.from({ length: params.workers }, (_, worker) =>
    new CloudThread(logregWorker, { params, worker, weights }).start().join(),
  );
  const results = await Promise.all(threads);
  const last = await weights.current();
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
