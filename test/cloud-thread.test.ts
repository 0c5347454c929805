import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudThread, configureRuntime, onThreadCounts, shutdownRuntime } from '../src/index.ts';
import { greet } from './fixtures/cloud-thread-tasks.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));
    after(() => shutdownRuntime());

    test('start() runs the task with the argument; join() resolves to its result', async () => {
      const thread = new CloudThread(greet, 'crucial');
      assert.equal(thread.id, undefined);
      assert.equal(thread.start(), thread);
      assert.equal(typeof thread.id, 'string');
      assert.equal(await thread.join(), 'hello, crucial');
      assert.equal(await thread.join(), 'hello, crucial', 'a second join() gives the same result');
    });

    test('threads started together each get their own argument and id', async () => {
      const threads = ['a', 'b', 'c'].map((name) => new CloudThread(greet, name).start());
      assert.equal(new Set(threads.map((th) => th.id)).size, 3);
      assert.deepEqual(await Promise.all(threads.map((th) => th.join())), ['hello, a', 'hello, b', 'hello, c']);
    });
  });
}

test('join() before start() rejects, saying the thread was never started', async () => {
  await assert.rejects(new CloudThread(greet, 'x').join(), /task 'greet' was never started/);
});

test('start() twice throws, and the thread runs once', async () => {
  let spawned = 0;
  const off = onThreadCounts((c) => (spawned = c.spawned));
  try {
    const thread = new CloudThread(greet, 'once').start();
    const { id } = thread;
    const before = spawned;
    assert.throws(() => thread.start(), /task 'greet' was already started/);
    assert.equal(spawned, before);
    assert.equal(thread.id, id);
    assert.equal(await thread.join(), 'hello, once');
  } finally {
    off();
  }
});
