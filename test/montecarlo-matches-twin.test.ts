import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runMontecarlo as twinMontecarlo } from '../bench/twins/montecarlo.ts';
import { runMontecarlo } from '../examples/montecarlo.ts';
import { useAppNode } from './support/app-node.ts';

useAppNode();

test('cloud threads and the worker_threads twin count the same hits: same generator, seeds and shares', async () => {
  // 3 threads over a sample count that does not divide evenly.
  const params = { samples: 300_001, threads: 3 };
  const [hits, twin] = await Promise.all([runMontecarlo(params), twinMontecarlo(params)]);
  assert.equal(hits, twin);
  assert.ok(Math.abs((4 * hits) / params.samples - Math.PI) < 0.02, `pi ~ ${(4 * hits) / params.samples}`);
  // A second run starts from a fresh counter.
  assert.equal(await runMontecarlo(params), hits);
});
