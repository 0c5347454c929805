import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AtomicMatrix, configureRuntime } from '../src/index.ts';
import { MODELS, predictionDag, serve, trainModels, type ModelSpec, type PredictionParams } from '../examples/prediction-serving.ts';
import { imageExamples } from '../examples/lib/datasets.ts';
import { runSkein, stopSkeins } from './support/node.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

const PARAMS: PredictionParams = { side: 8, classes: 10, noise: 2, seed: 5, train: 500, iterations: 60, learningRate: 0.5, l2: 1e-3 };
const PIXELS = PARAMS.side * PARAMS.side;
const REQUESTS = 30;

/**
 * The twin: the same pipeline computed here from the stored weights, written out plainly (no code
 * shared with the app): standardise the image, each model's softmax over its pixels, their mean.
 */
function twin(weights: readonly Float64Array[][], models: readonly ModelSpec[], raw: Float64Array): { label: number; probabilities: number[]; votes: number[] } {
  const mean = raw.reduce((s, v) => s + v, 0) / raw.length;
  const sd = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / raw.length);
  const x = Array.from(raw, (v) => (v - mean) / sd);
  const argmax = (p: number[]): number => p.indexOf(Math.max(...p));
  const perModel = models.map((model, m) => {
    const scores = weights[m]!.map((row) => model.features.reduce((z, pixel, f) => z + row[f]! * x[pixel]!, row[model.features.length]!));
    const exps = scores.map((z) => Math.exp(z));
    const sum = exps.reduce((s, e) => s + e, 0);
    return exps.map((e) => e / sum);
  });
  const probabilities = perModel[0]!.map((_, c) => perModel.reduce((s, p) => s + p[c]!, 0) / perModel.length);
  return { label: argmax(probabilities), probabilities, votes: perModel.map(argmax) };
}

let t: TestNode;
before(async () => (t = await threadsNode()));
after(async () => {
  await stopSkeins();
  await t.close();
});

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));

    test('the DAG\'s predictions equal the same models computed here from the stored weights; the ensemble beats each model', async () => {
      const models = await trainModels(PARAMS);
      assert.equal(models.length, MODELS);
      assert.deepEqual(models.map((m) => m.features.length), [22, 21, 21]);
      const weights = await Promise.all(models.map((m) => new AtomicMatrix(m.key).toArray()));
      for (const [m, rows] of weights.entries()) {
        assert.equal(rows.length, PARAMS.classes);
        assert.ok(rows.every((row) => row.length === models[m]!.features.length + 1 && row.some((w) => w !== 0)), `model ${m} has trained weights`);
      }

      const served = await serve(predictionDag(models), PARAMS, PARAMS.train, PARAMS.train + REQUESTS);
      assert.equal(served.predictions.length, REQUESTS);
      const { x, y } = imageExamples(PARAMS, PARAMS.train, PARAMS.train + REQUESTS);
      assert.deepEqual(served.labels, y);
      served.predictions.forEach((p, i) => {
        const want = twin(weights, models, x.slice(i * PIXELS, (i + 1) * PIXELS));
        assert.equal(p.label, want.label, `request ${i}`);
        assert.deepEqual(p.votes, want.votes, `request ${i}`);
        p.probabilities.forEach((v, c) => assert.ok(Math.abs(v - want.probabilities[c]!) < 1e-12, `request ${i} class ${c}: ${v} vs ${want.probabilities[c]}`));
      });
      const right = served.predictions.filter((p, i) => p.label === y[i]).length / REQUESTS;
      assert.ok(right > 0.5, `served accuracy ${right} (chance 0.1)`);

      // On more held-out images, by the twin: the ensemble is well above chance and above every model alone.
      const n = 1000;
      const heldOut = imageExamples(PARAMS, PARAMS.train + REQUESTS, PARAMS.train + REQUESTS + n);
      const answers = Array.from({ length: n }, (_, i) => twin(weights, models, heldOut.x.slice(i * PIXELS, (i + 1) * PIXELS)));
      const ensemble = answers.filter((a, i) => a.label === heldOut.y[i]).length / n;
      const alone = models.map((_, m) => answers.filter((a, i) => a.votes[m] === heldOut.y[i]).length / n);
      assert.ok(ensemble > 0.6, `ensemble held-out accuracy ${ensemble}`);
      for (const a of alone) assert.ok(ensemble > a + 0.1, `ensemble ${ensemble} vs a model alone ${a}`);
    });
  });
}

test('skein run examples/prediction-serving.ts prints the latencies and the accuracies', { timeout: 60_000 }, async () => {
  const env = { SKEIN_DSO: undefined, SKEIN_TOKEN: undefined, TRAIN: '300', ITERATIONS: '30', REQUESTS: '20', WARMUP: '2' };
  const { code, stdout, stderr } = await runSkein(['run', 'examples/prediction-serving.ts', '--workers', '2'], env);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^prediction serving: 3 softmax regressions .* trained on 300 images in parallel threads in [\d.]+ s$/m);
  assert.match(stdout, /^20 requests through the DAG \(preprocess -> 3 models -> average\), one at a time: p50 [\d.]+ ms, p99 [\d.]+ ms$/m);
  assert.match(stdout, /^held-out accuracy: ensemble [01]\.\d{3}; each model alone [01]\.\d{3}, [01]\.\d{3}, [01]\.\d{3} \(chance 0\.100\)$/m);
});
