import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServerlessExecutor, SharedFuture, SharedList, SharedMap } from '../src/index.ts';
import { awaitFuture, ORDER, relay, tally, visit, VISITS } from './fixtures/parallel-tasks.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    let executor: ServerlessExecutor;
    // One worker per block, so the worker that ran an index tells which block it belonged to.
    before(() => (executor = new ServerlessExecutor({ backend, workers: 4 })));
    after(() => executor.shutdown());

    test('parallelFor visits every index of [from, to) once, in contiguous blocks, then runs the finalizer', async () => {
      await Promise.all([new SharedMap(VISITS).destroy(), new SharedList(ORDER).destroy()]);
      const from = 5;
      const to = 28;
      const result = await executor.parallelFor(visit, { from, to, workers: 4, finalizer: tally });

      const visits = new Map(await new SharedMap<number, number>(VISITS).entries());
      assert.deepEqual(
        [...visits.keys()].sort((a, b) => a - b),
        Array.from({ length: to - from }, (_, k) => from + k),
      );
      assert.ok([...visits.values()].every((count) => count === 1));
      // The finalizer ran after every block: it saw all the visits.
      assert.deepEqual(result, { visits: to - from, indexes: to - from });

      const blocks = new Map<string, number[]>();
      for (const [i, worker] of await new SharedList<[number, string]>(ORDER).slice()) {
        blocks.set(worker, [...(blocks.get(worker) ?? []), i]);
      }
      assert.equal(blocks.size, 4);
      const sizes = [];
      for (const indexes of blocks.values()) {
        // Each block ran its indexes in order, one after another: a contiguous ascending run.
        assert.deepEqual(
          indexes,
          Array.from({ length: indexes.length }, (_, k) => indexes[0]! + k),
        );
        sizes.push(indexes.length);
      }
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `block sizes ${sizes.join(', ')} are not balanced`);
    });

    test('parallelFor over more workers than indexes runs one block per index', async () => {
      await Promise.all([new SharedMap(VISITS).destroy(), new SharedList(ORDER).destroy()]);
      assert.equal(await executor.parallelFor(visit, { from: -3, to: 0, workers: 8 }), undefined);
      const order = await new SharedList<[number, string]>(ORDER).slice();
      assert.deepEqual(order.map(([i]) => i).sort((a, b) => a - b), [-3, -2, -1]);
      assert.equal(new Set(order.map(([, worker]) => worker)).size, 3);
    });

    test('submit resolves to the result; invokeAll resolves to the results in call order', async () => {
      const key = `relay-${backend}`;
      assert.equal(await executor.submit(relay, { relay: `${key}-solo`, index: 0, last: 0 }), 0);
      // The threads finish in reverse order; the results still come back in call order.
      const calls = [0, 1, 2, 3].map((index) => [relay, { relay: key, index, last: 3 }] as const);
      assert.deepEqual(await executor.invokeAll(calls), [0, 10, 20, 30]);
    });
  });
}

describe('shutdown', () => {
  test('waits for running threads, then refuses new work', async () => {
    const executor = new ServerlessExecutor({ backend: 'local', workers: 1 });
    const key = 'shutdown-release';
    const running = executor.submit(awaitFuture, key);
    let settled = false;
    void running.then(() => (settled = true));
    const stopped = executor.shutdown();
    await new SharedFuture<string>(key).set('released');
    await stopped;
    assert.ok(settled, 'shutdown() resolved before the running thread finished');
    assert.equal(await running, 'released');

    await assert.rejects(executor.submit(awaitFuture, key), /shut down/);
    await assert.rejects(executor.invokeAll([[awaitFuture, key]]), /shut down/);
    await assert.rejects(executor.parallelFor(visit, { from: 0, to: 2 }), /shut down/);
  });
});
