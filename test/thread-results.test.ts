import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AtomicLong, configureRuntime, shutdownRuntime } from '../src/index.ts';
import { echo, increment, makeCounter } from './fixtures/echo-tasks.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));
    after(() => shutdownRuntime());

    test('nested objects, arrays, strings, Float64Array and null come back intact', async () => {
      const value = {
        name: 'séance ✓',
        empty: '',
        nothing: null,
        list: [1, -2.5, 'three', [4, [5]], { six: 6 }, null, true],
        nested: { deeper: { deepest: { n: 2 ** 40 } } },
        samples: new Float64Array([0.5, -1e300, Number.MIN_VALUE, Math.PI]),
      };
      const back = (await echo.run(value)) as typeof value;
      assert.deepEqual(back, value);
      assert.ok(back.samples instanceof Float64Array);
      const large = Float64Array.from({ length: 50_000 }, (_, i) => i / 3);
      assert.deepEqual(await echo.run({ large }), { large });
      assert.equal(await echo.run(null), null);
      assert.equal(await echo.run('just a string'), 'just a string');
    });

    test('a handle passed as the argument is live in the thread, even on a fresh worker', async () => {
      // Fresh workers: their first invocation decodes the argument before anything they imported
      // has registered the handle classes.
      configureRuntime({ backend, workers: 2 });
      const counter = new AtomicLong({ key: `arg-handle-${backend}`, forceNew: true }, 10);
      await counter.get();
      assert.equal(await increment.run(counter), 11);
      assert.equal(await increment.run(counter), 12);
      assert.equal(await counter.get(), 12);
    });

    test('a handle returned as the result is live in the caller', async () => {
      const key = `result-handle-${backend}`;
      const counter = await makeCounter.run({ key, value: 41 });
      assert.ok(counter instanceof AtomicLong);
      assert.equal(counter.key, key);
      assert.equal(await counter.incrementAndGet(), 42);
      assert.equal(await new AtomicLong(key).get(), 42);
    });
  });
}
