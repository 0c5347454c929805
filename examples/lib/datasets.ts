/**
 * Seeded synthetic data sets for the example apps and their worker_threads twins. Point `i` is
 * drawn from its own generator stream (seed, i + 1) and the model from stream 0, so a worker makes
 * any block of points on its own, no data is shipped, and the data set is the same however it is
 * split.
 */
import { Random } from './random.ts';

/** The `index`-th of `parts` contiguous blocks of `[0, n)`, as `[from, to)` (as `parallelFor` splits). */
export function blockBounds(n: number, parts: number, index: number): [number, number] {
  return [Math.floor((index * n) / parts), Math.floor(((index + 1) * n) / parts)];
}

/** A k-means data set: `points` points in `dims` dimensions around `k` planted centres. */
export interface BlobsSpec {
  points: number;
  dims: number;
  k: number;
  seed: number;
}

/** Planted centres are uniform in [-CENTRE_RANGE, CENTRE_RANGE] per dimension. */
const CENTRE_RANGE = 10;

/** The planted centres: `k` rows of `dims`, row-major. */
export function blobCentres({ dims, k, seed }: BlobsSpec): Float64Array {
  const rng = new Random(seed, 0);
  const centres = new Float64Array(k * dims);
  for (let i = 0; i < centres.length; i++) centres[i] = CENTRE_RANGE * (2 * rng.next() - 1);
  return centres;
}

/**
 * Points `[from, to)` of the data set, row-major. Point `i` belongs to planted cluster `i % k` and
 * is its centre plus standard normal noise in each dimension, so the first `k` points are one per
 * cluster.
 */
export function blobPoints(spec: BlobsSpec, from: number, to: number): Float64Array {
  const { dims, k, seed } = spec;
  const centres = blobCentres(spec);
  const out = new Float64Array((to - from) * dims);
  for (let i = from, o = 0; i < to; i++) {
    const rng = new Random(seed, i + 1);
    const c = (i % k) * dims;
    for (let d = 0; d < dims; d++) out[o++] = centres[c + d]! + rng.normal();
  }
  return out;
}

/** A logistic-regression data set: `points` examples of `features` standard normal features. */
export interface LogisticSpec {
  points: number;
  features: number;
  seed: number;
}

/** The hidden weight vector the labels are drawn from: standard normal, `features` long. */
export function hiddenWeights({ features, seed }: LogisticSpec): Float64Array {
  const rng = new Random(seed, 0);
  const w = new Float64Array(features);
  for (let j = 0; j < features; j++) w[j] = rng.normal();
  return w;
}

/**
 * Examples `[from, to)`: features `x` row-major and labels `y` in {0, 1}, where `y = 1` with
 * probability `sigmoid(x . w)` for the {@link hiddenWeights} `w` (the logistic model itself, so its
 * noise is the model's).
 */
export function logisticExamples(spec: LogisticSpec, from: number, to: number): { x: Float64Array; y: Float64Array } {
  const { features, seed } = spec;
  const w = hiddenWeights(spec);
  const x = new Float64Array((to - from) * features);
  const y = new Float64Array(to - from);
  for (let i = from, o = 0; i < to; i++) {
    const rng = new Random(seed, i + 1);
    let z = 0;
    for (let j = 0; j < features; j++, o++) {
      x[o] = rng.normal();
      z += x[o]! * w[j]!;
    }
    y[i - from] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

/**
 * An image-classification data set: `side x side` grey images of `classes` classes. Each class has
 * a hidden pattern (standard normal pixels); an image is its class's pattern plus `noise` times
 * standard normal noise per pixel, then scaled by a random contrast and shifted by a random
 * brightness, so that a model needs the image normalised first.
 */
export interface ImagesSpec {
  side: number;
  classes: number;
  noise: number;
  seed: number;
}

/** The hidden class patterns: `classes` rows of `side * side` pixels, row-major. */
export function classPatterns({ side, classes, seed }: ImagesSpec): Float64Array {
  const rng = new Random(seed, 0);
  const patterns = new Float64Array(classes * side * side);
  for (let i = 0; i < patterns.length; i++) patterns[i] = rng.normal();
  return patterns;
}

/**
 * Images `[from, to)`: pixels `x` row-major (`side * side` per image) and labels `y`, each drawn
 * uniformly from the classes. Contrast is `exp(N(0, 0.5^2))`, brightness `N(0, 5^2)`.
 */
export function imageExamples(spec: ImagesSpec, from: number, to: number): { x: Float64Array; y: Int32Array } {
  const { side, classes, noise, seed } = spec;
  const pixels = side * side;
  const patterns = classPatterns(spec);
  const x = new Float64Array((to - from) * pixels);
  const y = new Int32Array(to - from);
  for (let i = from, o = 0; i < to; i++) {
    const rng = new Random(seed, i + 1);
    const label = rng.below(classes);
    const contrast = Math.exp(0.5 * rng.normal());
    const brightness = 5 * rng.normal();
    for (let p = 0; p < pixels; p++) x[o++] = contrast * (patterns[label * pixels + p]! + noise * rng.normal()) + brightness;
    y[i - from] = label;
  }
  return { x, y };
}

/** A classification data set for the random forest: `points` examples of `features` standard normal features. */
export interface ForestSpec {
  points: number;
  features: number;
  seed: number;
}

/**
 * Examples `[from, to)` as rows of `features` values then the label, 0 or 1. Only the first four
 * features matter, nonlinearly: the label is 1 where `x0 x1 + sin(2 x2) + x3^2 - 1` plus normal
 * noise of deviation 0.3 is positive. The rest are noise a tree must learn to ignore.
 */
export function forestExamples({ features, seed }: ForestSpec, from: number, to: number): Float64Array[] {
  if (!Number.isSafeInteger(features) || features < 4) throw new RangeError(`a forest data set needs at least 4 features, got ${features}`);
  const rows: Float64Array[] = [];
  for (let i = from; i < to; i++) {
    const rng = new Random(seed, i + 1);
    const row = new Float64Array(features + 1);
    for (let j = 0; j < features; j++) row[j] = rng.normal();
    const z = row[0]! * row[1]! + Math.sin(2 * row[2]!) + row[3]! ** 2 - 1 + 0.3 * rng.normal();
    row[features] = z > 0 ? 1 : 0;
    rows.push(row);
  }
  return rows;
}
