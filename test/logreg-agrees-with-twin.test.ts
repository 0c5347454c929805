import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GlobalWeights, runLogreg, type LogregParams } from '../examples/logreg.ts';
import { hiddenWeights, logisticExamples } from '../examples/lib/datasets.ts';
import { runLogreg as runTwin } from '../bench/twins/logreg.ts';
import { useAppNode } from './support/app-node.ts';

useAppNode({ objects: [GlobalWeights] });

// Three threads on two workers: threads waiting for their round must not hold up the others.
const PARAMS: LogregParams = { points: 20_000, features: 10, iterations: 30, learningRate: 1, workers: 3, seed: 11 };

/** The share of `examples` that `weights` labels right (predicting 1 where x . w > 0). */
function accuracy(weights: Float64Array, { x, y }: { x: Float64Array; y: Float64Array }): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let z = 0;
    for (let j = 0; j < weights.length; j++) z += x[i * weights.length + j]! * weights[j]!;
    if ((z > 0 ? 1 : 0) === y[i]) right++;
  }
  return right / y.length;
}

test('the cloud-thread logistic regression and its worker_threads twin fit the same weights, close to the hidden ones', async () => {
  const skeinResult = await runLogreg(PARAMS);
  const twinResult = await runTwin(PARAMS);

  assert.equal(skeinResult.iterations, PARAMS.iterations);
  assert.equal(twinResult.iterations, PARAMS.iterations);
  skeinResult.weights.forEach((w, j) =>
    assert.ok(Math.abs(w - twinResult.weights[j]!) < 1e-9, `weight ${j}: ${w} vs the twin's ${twinResult.weights[j]}`),
  );
  assert.ok(Math.abs(skeinResult.loss - twinResult.loss) < 1e-9, `loss ${skeinResult.loss} vs the twin's ${twinResult.loss}`);
  assert.ok(skeinResult.loss < Math.log(2), `the loss fell below that of zero weights: ${skeinResult.loss}`);

  // Examples past the training set are fresh draws from the same model: a held-out set.
  const heldOut = logisticExamples(PARAMS, PARAMS.points, PARAMS.points + 5000);
  const hidden = hiddenWeights(PARAMS);
  const fitted = accuracy(skeinResult.weights, heldOut);
  const best = accuracy(hidden, heldOut);
  assert.ok(fitted > best - 0.01, `held-out accuracy ${fitted}, the hidden weights' ${best}`);
  const cosine =
    skeinResult.weights.reduce((s, w, j) => s + w * hidden[j]!, 0) / (Math.hypot(...skeinResult.weights) * Math.hypot(...hidden));
  assert.ok(cosine > 0.99, `cosine between fitted and hidden weights ${cosine}`);
});

test('the fit is the same however the examples are split among threads', async () => {
  const [two, five] = [await runLogreg({ ...PARAMS, workers: 2 }), await runLogreg({ ...PARAMS, workers: 5 })];
  two.weights.forEach((w, j) => assert.ok(Math.abs(w - five.weights[j]!) < 1e-9, `weight ${j}: ${w} vs ${five.weights[j]}`));
});
