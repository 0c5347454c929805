/**
 * Prediction serving, Cloudburst's (section 6.3.1), as a DAG: `preprocess` normalises a raw image,
 * three models classify it in parallel (fan-out), `combine` averages their class probabilities
 * (fan-in). Cloudburst's models were three SqueezeNets; here they are real small models trained at
 * start-up on generated data (examples/lib/datasets.ts `imageExamples`: 8x8 grey images of 10
 * classes, noisy, with random contrast and brightness): softmax regressions, each reading every
 * third pixel from its own offset, so each sees a third of the image and the ensemble sees all of
 * it. They are trained in parallel cloud threads, each storing its weights in an `AtomicMatrix`;
 * a model node loads them once per worker and keeps them.
 *
 * Then REQUESTS held-out images are served through the DAG one at a time (after WARMUP requests on
 * training images, not counted): printed are the latency p50/p99 of a request and the held-out
 * accuracy of the ensemble and of each model alone.
 *
 *   npx skein run examples/prediction-serving.ts
 *   TRAIN=5000 REQUESTS=2000 NOISE=2.5 SEED=3 npx skein run examples/prediction-serving.ts --backend process
 */
import { randomBytes } from 'node:crypto';
import { AtomicMatrix, dag, task, type Dag, type DagNode } from 'skein';
import { imageExamples, type ImagesSpec } from './lib/datasets.ts';
import { envInt, envNumber } from './lib/env.ts';
import { softmaxProbabilities, trainSoftmax, type SoftmaxTraining } from './lib/softmax.ts';

/** How many models the DAG fans out to. */
export const MODELS = 3;

/** The data set and how the models are trained. */
export interface PredictionParams extends ImagesSpec, SoftmaxTraining {
  /** Training images: the data set's first `train`; images from `train` on are held out. */
  train: number;
}

/** One model of the ensemble as the DAG's nodes see it: where its weights are and what it reads. */
export interface ModelSpec {
  /** The key of the `AtomicMatrix` of its weights (`classes x (features + 1)`, see lib/softmax.ts). */
  key: string;
  /** The pixels it reads. */
  features: number[];
  classes: number;
}

/** What serving one image answers. */
export interface Prediction {
  /** The class of highest mean probability. */
  label: number;
  /** The mean of the models' class probabilities. */
  probabilities: number[];
  /** Each model's most probable class, in model order. */
  votes: number[];
}

/** The pixels model `m` reads: every `MODELS`-th, from pixel `m`. */
export function modelFeatures(pixels: number, m: number): number[] {
  return Array.from({ length: pixels }, (_, p) => p).filter((p) => p % MODELS === m);
}

/** The image standardised: its mean subtracted, divided by its standard deviation (1 if flat). */
export function normalise(image: ArrayLike<number>): Float64Array {
  const n = image.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += image[i]!;
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (image[i]! - mean) ** 2;
  const sd = Math.sqrt(variance / n) || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (image[i]! - mean) / sd;
  return out;
}

/** The index of the largest entry (the first of equals). */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** The ensemble's answer from each model's class probabilities: their mean, its top class, each model's vote. */
export function combine(probabilities: ReadonlyArray<ArrayLike<number>>): Prediction {
  const classes = probabilities[0]!.length;
  const mean = new Array<number>(classes).fill(0);
  for (const p of probabilities) for (let c = 0; c < classes; c++) mean[c]! += p[c]! / probabilities.length;
  return { label: argmax(mean), probabilities: mean, votes: probabilities.map(argmax) };
}

/** The DAG's source: a raw image in, the image normalised out. */
export const preprocess = task('prediction.preprocess', (image: Float64Array) => normalise(image));

/** Each worker's weights, by key: loaded from the DSO at a model's first request in the worker. */
const loaded = new Map<string, Promise<Float64Array>>();

/** The weights under `key`, flat row-major, loaded once per worker (a failed load is tried again next time). */
function weightsOf(key: string): Promise<Float64Array> {
  let weights = loaded.get(key);
  if (!weights) {
    weights = new AtomicMatrix(key).toArray().then((rows) => {
      const flat = new Float64Array(rows.length * rows[0]!.length);
      rows.forEach((row, c) => flat.set(row, c * row.length));
      return flat;
    });
    weights.catch(() => loaded.delete(key));
    loaded.set(key, weights);
  }
  return weights;
}

/** A model node: its spec (the node's arg) and the normalised image in, its class probabilities out. */
export const predict = task('prediction.model', async ([model, image]: [ModelSpec, Float64Array]) =>
  softmaxProbabilities(await weightsOf(model.key), model.features, image, new Float64Array(model.classes)),
);

/** The DAG's sink: the models' probabilities in, the ensemble's {@link Prediction} out. */
export const ensemble = task('prediction.combine', (probabilities: Float64Array[]) => combine(probabilities));

/**
 * Trains model `model` on the training images (made here, normalised as `preprocess` does) and
 * stores its weights in the `AtomicMatrix` `key`.
 */
export const trainModel = task('prediction.train', async ({ params, model, key }: { params: PredictionParams; model: number; key: string }) => {
  const pixels = params.side * params.side;
  const { x, y } = imageExamples(params, 0, params.train);
  for (let i = 0; i < params.train; i++) x.set(normalise(x.subarray(i * pixels, (i + 1) * pixels)), i * pixels);
  const features = modelFeatures(pixels, model);
  const weights = trainSoftmax(x, y, pixels, features, params.classes, params);
  await new AtomicMatrix(key, params.classes, features.length + 1).add(weights);
  return { key, features, classes: params.classes } satisfies ModelSpec;
});

/** Trains the `MODELS` models in parallel cloud threads; their weights go under fresh keys. */
export async function trainModels(params: PredictionParams): Promise<ModelSpec[]> {
  const prefix = `prediction.${randomBytes(6).toString('base64url')}`;
  return Promise.all(Array.from({ length: MODELS }, (_, model) => trainModel.run({ params, model, key: `${prefix}.model${model}` })));
}

/** The serving DAG: `preprocess` -> one `predict` node per model -> `combine`. */
export function predictionDag(models: readonly ModelSpec[]): Dag<Float64Array, Prediction> {
  const ids = models.map((_, m) => `model${m}`);
  const nodes: Record<string, DagNode> = { preprocess: { task: preprocess } };
  models.forEach((model, m) => (nodes[ids[m]!] = { task: predict, args: [model], after: ['preprocess'] }));
  nodes.combine = { task: ensemble, after: ids };
  return dag('prediction-serving', nodes);
}

/** What serving a range of images did. */
export interface Served {
  predictions: Prediction[];
  /** The images' true classes. */
  labels: Int32Array;
  /** Each request's latency in ms, from `call` to its result. */
  latencies: number[];
}

/** Serves images `[from, to)` of the data set through `d`, one request at a time. */
export async function serve(d: Dag<Float64Array, Prediction>, spec: ImagesSpec, from: number, to: number): Promise<Served> {
  const pixels = spec.side * spec.side;
  const { x, y } = imageExamples(spec, from, to);
  const predictions: Prediction[] = [];
  const latencies: number[] = [];
  for (let i = 0; i < to - from; i++) {
    const started = performance.now();
    predictions.push(await d.call(x.slice(i * pixels, (i + 1) * pixels)));
    latencies.push(performance.now() - started);
  }
  return { predictions, labels: y, latencies };
}

/** The share of `served` the ensemble labelled right, then each model's. */
export function accuracies({ predictions, labels }: Served): { ensemble: number; models: number[] } {
  const share = (right: (p: Prediction, i: number) => boolean): number => predictions.filter(right).length / predictions.length;
  return {
    ensemble: share((p, i) => p.label === labels[i]),
    models: Array.from({ length: MODELS }, (_, m) => share((p, i) => p.votes[m] === labels[i])),
  };
}

/** The `q`-quantile of `values` (nearest rank). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Trains, then serves, sized by TRAIN, REQUESTS, WARMUP, SIDE, CLASSES, NOISE, ITERATIONS and SEED; answers a summary. */
export default async function main(): Promise<string> {
  const params: PredictionParams = {
    side: envInt('SIDE', 8, { min: 2 }),
    classes: envInt('CLASSES', 10, { min: 2 }),
    noise: envNumber('NOISE', 2, { min: 0 }),
    seed: envInt('SEED', 1),
    train: envInt('TRAIN', 3000, { min: 1 }),
    iterations: envInt('ITERATIONS', 200, { min: 1 }),
    learningRate: 0.5,
    l2: 1e-3,
  };
  const requests = envInt('REQUESTS', 500, { min: 1 });
  const warmup = envInt('WARMUP', 20, { min: 0 });
  const started = performance.now();
  const models = await trainModels(params);
  const trainSeconds = (performance.now() - started) / 1000;
  const d = predictionDag(models);
  await serve(d, params, 0, Math.min(warmup, params.train));
  const served = await serve(d, params, params.train, params.train + requests);
  const { ensemble: right, models: alone } = accuracies(served);
  const ms = (v: number): string => `${v.toFixed(2)} ms`;
  return [
    `prediction serving: ${MODELS} softmax regressions (each every third pixel of ${params.side}x${params.side} images, ${params.classes} classes) trained on ${params.train} images in parallel threads in ${trainSeconds.toFixed(2)} s`,
    `${requests} requests through the DAG (preprocess -> ${MODELS} models -> average), one at a time: p50 ${ms(quantile(served.latencies, 0.5))}, p99 ${ms(quantile(served.latencies, 0.99))}`,
    `held-out accuracy: ensemble ${right.toFixed(3)}; each model alone ${alone.map((a) => a.toFixed(3)).join(', ')} (chance ${(1 / params.classes).toFixed(3)})`,
  ].join('\n');
}
