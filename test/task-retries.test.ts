import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AtomicLong, configureRuntime, RemoteError, shutdownRuntime, task } from '../src/index.ts';
import { crashOnce, flaky, flakyUnretried, hopeless, unsendable } from './fixtures/flaky-tasks.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

/** A fresh attempt counter, created on the node so it can be passed to a thread. */
async function counter(key: string): Promise<AtomicLong> {
  const c = new AtomicLong({ key, forceNew: true });
  await c.get();
  return c;
}

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));
    after(() => shutdownRuntime());

    test('a task with { retries: 2 } that fails twice succeeds on its third attempt', async () => {
      const attempts = await counter(`flaky-${backend}`);
      assert.equal(await flaky.run(attempts), 3);
      assert.equal(await attempts.get(), 3);
    });

    test('without retries the same task fails on its first attempt', async () => {
      const attempts = await counter(`unretried-${backend}`);
      await assert.rejects(flakyUnretried.run(attempts), (err: unknown) => {
        assert.ok(err instanceof RemoteError);
        assert.equal(err.message, 'attempt 1 failed');
        return true;
      });
      assert.equal(await attempts.get(), 1);
    });

    test('when every attempt fails, join() rejects with the last error after retries + 1 attempts', async () => {
      const attempts = await counter(`hopeless-${backend}`);
      await assert.rejects(hopeless.run(attempts), { name: 'RemoteError', message: 'attempt 3 failed' });
      assert.equal(await attempts.get(), 3);
    });

    test('a result that cannot be sent back fails at once: a retry would repeat the side effects for nothing', async () => {
      const attempts = await counter(`unsendable-${backend}`);
      await assert.rejects(unsendable.run(attempts), (err: unknown) => {
        assert.ok(err instanceof RemoteError);
        assert.equal(err.remoteName, 'SerializationError');
        return true;
      });
      assert.equal(await attempts.get(), 1);
    });

    test('a thread whose worker crashed is retried too', async () => {
      const attempts = await counter(`crash-${backend}`);
      assert.equal(await crashOnce.run(attempts), 2);
    });
  });
}

test('retries must be a whole number >= 0', () => {
  for (const retries of [-1, 1.5, Number.NaN]) {
    assert.throws(() => task(`badRetries${retries}`, () => 1, { retries }), RangeError);
  }
});
