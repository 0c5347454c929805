import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { configureRuntime, CountDownLatch } from '../src/index.ts';
import { ProcessBackend } from '../src/runtime/backends/process.ts';
import { open, waitFor } from './fixtures/stall-tasks.ts';
import { threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => {
  t = await threadsNode();
  configureRuntime({ backend: 'process', workers: 1, stallWarningMs: 200 });
});
after(() => t.close());

test('threads queued behind a busy pool, none finishing, raise SKEIN_THREADS_STALLED naming the fix', { timeout: 60_000 }, async () => {
  const latch = new CountDownLatch({ key: 'stall-latch', forceNew: true }, 1);
  await latch.getCount();
  // One process: the waiter holds it, so the thread that would open the latch stays queued.
  const warned = once(process, 'warning') as Promise<[Error & { code?: string }]>;
  const waiter = waitFor.run(latch);
  const opener = open.run(latch);
  const [warning] = await warned;
  assert.equal(warning.code, 'SKEIN_THREADS_STALLED');
  assert.match(warning.message, /1 cloud thread\(s\) have waited 200 ms for one of the 1 worker processes/);
  assert.match(warning.message, /raise workers/);

  // Opening the latch from here ends the wait; the queued thread then runs.
  await latch.countDown();
  assert.deepEqual(await Promise.all([waiter, opener]), ['waited', 'opened']);
});

test('stallWarningMs must be >= 0', () => {
  assert.throws(() => new ProcessBackend({ stallWarningMs: -1 }), /stallWarningMs must be >= 0/);
});
