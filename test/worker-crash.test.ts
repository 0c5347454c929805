import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configureRuntime, CountDownLatch, shutdownRuntime, WorkerCrashedError } from '../src/index.ts';
import { double, exitWorker, held } from './fixtures/crash-tasks.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));
    after(() => shutdownRuntime());

    test('a worker that exits fails its thread with WorkerCrashedError; threads on other workers finish', async () => {
      const started = new CountDownLatch({ key: `started-${backend}`, forceNew: true }, 1);
      const go = new CountDownLatch({ key: `go-${backend}`, forceNew: true }, 1);
      await Promise.all([started.getCount(), go.getCount()]);
      const survivor = held.spawn({ started, go });
      await started.await();

      await assert.rejects(exitWorker.run(3), (err: unknown) => {
        assert.ok(err instanceof WorkerCrashedError);
        assert.equal(err.code, 'EWORKER_CRASHED');
        assert.match(err.message, /exited with code 3/);
        return true;
      });

      await go.countDown();
      assert.equal(await survivor.join(), 'survived');
    });

    test('the backend keeps serving threads after a crash', async () => {
      await assert.rejects(exitWorker.run(3), WorkerCrashedError);
      const results = await Promise.all([1, 2, 3, 4, 5].map((n) => double.run(n)));
      assert.deepEqual(results, [2, 4, 6, 8, 10]);
    });
  });
}
