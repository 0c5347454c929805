import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runForest } from '../examples/random-forest.ts';
import { forestExamples } from '../examples/lib/datasets.ts';
import { checkForestParams, forestAccuracy, NODE, predictTree, toColumns, trainTree, TrainingSet, type ForestParams, type ForestResult } from '../examples/lib/random-forest-core.ts';
import { runForest as runTwin } from '../bench/twins/random-forest.ts';
import { runSkein, stopSkeins } from './support/node.ts';
import { useAppNode } from './support/app-node.ts';

useAppNode();
after(stopSkeins);

// Three threads on two workers, and 7 trees, which do not split evenly among them.
const PARAMS: ForestParams = { points: 1500, features: 10, trees: 7, maxDepth: 12, nodeSize: 3, heldOut: 1000, workers: 3, seed: 5 };

function assertSameForest(actual: ForestResult, expected: ForestResult, what: string): void {
  assert.equal(actual.trees.length, expected.trees.length, `${what}: tree count`);
  actual.trees.forEach((tree, t) => assert.deepEqual(tree, expected.trees[t], `${what}: tree ${t} differs`));
  assert.equal(actual.accuracy, expected.accuracy, `${what}: accuracy`);
}

test('the cloud-thread random forest and its worker_threads twin grow the same trees, which beat a single tree', async () => {
  const skeinResult = await runForest(PARAMS);
  const twinResult = await runTwin(PARAMS);
  assertSameForest(skeinResult, twinResult, 'skein vs twin');

  // Different trees (bootstrap and feature choices per tree), each a real tree, not a stump.
  assert.equal(new Set(skeinResult.trees.map((t) => t.join())).size, PARAMS.trees);
  for (const tree of skeinResult.trees) assert.ok(tree.length / NODE > 20, `a tree of ${tree.length / NODE} nodes`);

  // Only four of the ten features carry signal, nonlinearly: the noise-free rule scores about 0.95
  // and always answering the commoner class about 0.56; 7 trees from 1500 examples reach 0.8.
  const heldOut = forestExamples(PARAMS, PARAMS.points, PARAMS.points + PARAMS.heldOut);
  assert.equal(skeinResult.accuracy, forestAccuracy(skeinResult.trees, heldOut));
  assert.ok(skeinResult.accuracy > 0.75, `held-out accuracy ${skeinResult.accuracy}`);
  const single = forestAccuracy(skeinResult.trees.slice(0, 1), heldOut);
  assert.ok(skeinResult.accuracy > single, `the forest's accuracy ${skeinResult.accuracy} vs one tree's ${single}`);

  // The forest is the same whoever trains which tree.
  assertSameForest(await runForest({ ...PARAMS, workers: 2 }), skeinResult, '2 vs 3 threads');
  assertSameForest(await runTwin({ ...PARAMS, workers: 7 }), skeinResult, 'twin on 7 threads vs skein on 3');
});

test('a tree is well formed: children after their parent, leaves with a class, no deeper than maxDepth', () => {
  const set = new TrainingSet(toColumns(forestExamples(PARAMS, 0, 500)));
  const tree = trainTree(set, 0, { ...PARAMS, maxDepth: 4 });
  const depth = (at: number): number => (tree[at * NODE] === -1 ? 0 : 1 + Math.max(depth(tree[at * NODE + 2]!), depth(tree[at * NODE + 3]!)));
  for (let at = 0; at < tree.length / NODE; at++) {
    const [feature, value, left, right] = tree.subarray(at * NODE, (at + 1) * NODE);
    if (feature === -1) assert.ok(value === 0 || value === 1, `leaf ${at}'s class ${value}`);
    else assert.ok(feature! >= 0 && feature! < PARAMS.features && left! > at && right! > left!, `node ${at}: ${[feature, value, left, right]}`);
  }
  assert.equal(depth(0), 4);
  // Depth 0: one leaf with the bootstrap sample's majority class.
  const stump = trainTree(set, 0, { ...PARAMS, maxDepth: 0 });
  assert.equal(stump.length, NODE);
  assert.equal(predictTree(stump, set.columns.map((c) => c[0]!)), stump[1]);
});

test('bad parameters and rows are refused with a RangeError', async () => {
  assert.throws(() => checkForestParams({ ...PARAMS, trees: 0 }), /trees must be a positive integer, got 0/);
  assert.throws(() => checkForestParams({ ...PARAMS, maxDepth: 1.5 }), /maxDepth must be a whole number/);
  await assert.rejects(runForest({ ...PARAMS, workers: -1 }), RangeError);
  await assert.rejects(runTwin({ ...PARAMS, nodeSize: 0 }), RangeError);
  assert.throws(() => new TrainingSet([]), RangeError);
  assert.throws(() => new TrainingSet([Float64Array.of(1, 2)]), RangeError);
  assert.throws(() => new TrainingSet([Float64Array.of(1, 2), Float64Array.of(0)]), /column 1 has 1 values, not 2/);
  assert.throws(() => new TrainingSet([Float64Array.of(1, 2), Float64Array.of(0, 0.5)]), /row 1's label 0.5 is not a class number/);
  assert.throws(() => forestExamples({ ...PARAMS, features: 3 }, 0, 1), RangeError);
});

test('skein run examples/random-forest.ts on the process backend prints the twin\'s accuracy and exits 0', { timeout: 60_000 }, async () => {
  const params = { ...PARAMS, workers: 2 };
  const out = await runSkein(['run', 'examples/random-forest.ts', '--backend', 'process'], {
    SKEIN_DSO: undefined,
    SKEIN_TOKEN: undefined,
    POINTS: String(params.points),
    FEATURES: String(params.features),
    TREES: String(params.trees),
    MAX_DEPTH: String(params.maxDepth),
    NODE_SIZE: String(params.nodeSize),
    HELD_OUT: String(params.heldOut),
    THREADS: String(params.workers),
    SEED: String(params.seed),
  });
  assert.equal(out.code, 0, out.stderr);
  const { accuracy } = await runTwin(params);
  const line = `random forest: 7 trees on 1500 points x 10 features, held-out accuracy ${(100 * accuracy).toFixed(2)}% on 2 threads in `;
  assert.ok(out.stdout.includes(line), `${out.stdout} lacks '${line}'`);
});
