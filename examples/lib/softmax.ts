/**
 * Softmax (multinomial logistic) regression on a subset of an input's features: the small models
 * of examples/prediction-serving.ts. A model's weights are a `classes x (features + 1)` matrix,
 * row-major, each row the weights of one class over the model's features, then its bias.
 */

/** Training settings of {@link trainSoftmax}. */
export interface SoftmaxTraining {
  /** Full-batch gradient steps, from zero weights. */
  iterations: number;
  /** Step size. */
  learningRate: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
}

/**
 * The class probabilities of one input: `softmax(W . [x[features], 1])`, written into `out` (length
 * `classes`) and returned. `x` is the whole input; the model reads the entries `features` names.
 */
export function softmaxProbabilities(weights: ArrayLike<number>, features: readonly number[], x: ArrayLike<number>, out: Float64Array): Float64Array {
  const classes = out.length;
  const cols = features.length + 1;
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) {
    let z = weights[c * cols + features.length]!;
    for (let f = 0; f < features.length; f++) z += weights[c * cols + f]! * x[features[f]!]!;
    out[c] = z;
    if (z > max) max = z;
  }
  // Subtracting the largest score keeps exp() finite; the ratios are unchanged.
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += out[c] = Math.exp(out[c]! - max);
  for (let c = 0; c < classes; c++) out[c]! /= sum;
  return out;
}

/**
 * Fits a model of `classes` classes on the entries `features` of the inputs `x` (row-major,
 * `width` entries each) with labels `y`, by full-batch gradient descent on the mean log loss plus
 * `l2 / 2 * |W|^2`. Deterministic: the same data and settings give the same weights.
 */
export function trainSoftmax(
  x: Float64Array,
  y: Int32Array,
  width: number,
  features: readonly number[],
  classes: number,
  { iterations, learningRate, l2 }: SoftmaxTraining,
): Float64Array {
  const cols = features.length + 1;
  const n = y.length;
  const weights = new Float64Array(classes * cols);
  const gradient = new Float64Array(classes * cols);
  const p = new Float64Array(classes);
  for (let it = 0; it < iterations; it++) {
    gradient.fill(0);
    for (let i = 0; i < n; i++) {
      const row = x.subarray(i * width, (i + 1) * width);
      softmaxProbabilities(weights, features, row, p);
      for (let c = 0; c < classes; c++) {
        const g = p[c]! - (y[i] === c ? 1 : 0);
        for (let f = 0; f < features.length; f++) gradient[c * cols + f]! += g * row[features[f]!]!;
        gradient[c * cols + features.length]! += g;
      }
    }
    for (let c = 0; c < classes; c++) {
      for (let f = 0; f < cols; f++) {
        const penalty = f < features.length ? l2 * weights[c * cols + f]! : 0;
        weights[c * cols + f]! -= learningRate * (gradient[c * cols + f]! / n + penalty);
      }
    }
  }
  return weights;
}
