import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AtomicLong,
  ConnectionClosedError,
  CountDownLatch,
  CyclicBarrier,
  Lock,
  Semaphore,
  SharedFuture,
} from '../src/index.ts';
import { testNode } from './support/node.ts';

function closedByNode(err: unknown): boolean {
  assert.ok(err instanceof ConnectionClosedError, `expected a ConnectionClosedError, got ${String(err)}`);
  assert.equal(err.code, 'ECLOSED');
  // The node said so itself, before the connection went: the call was not applied.
  assert.match(err.message, /shutting down/);
  return true;
}

test('node.close() rejects every parked call with ConnectionClosedError', async () => {
  const t = await testNode();
  try {
    const [a, b] = [await t.client(), await t.client()];
    const lock = new Lock({ key: 'lock', client: a });
    await lock.lock();
    const sem = new Semaphore({ key: 'sem', client: a }, 1);
    await sem.acquire();
    const parked = [
      new CyclicBarrier({ key: 'barrier', client: a }, 3).await(),
      new CyclicBarrier({ key: 'barrier', client: b }, 3).await(),
      new CountDownLatch({ key: 'latch', client: b }, 1).await(),
      new Semaphore({ key: 'sem', client: b }).acquire(),
      new Lock({ key: 'lock', client: b }).lock(),
      new SharedFuture({ key: 'future', client: a }).get({ timeoutMs: 60_000 }),
      new SharedFuture({ key: 'future', client: b }).get(),
    ];
    const counter = new AtomicLong({ key: 'counter', client: b });
    assert.equal(await counter.incrementAndGet(), 1);
    await Promise.all([a.ping(), b.ping()]); // answered after the calls before them, all parked now

    const outcomes = Promise.allSettled(parked);
    await t.node.close();
    for (const outcome of await outcomes) {
      assert.equal(outcome.status, 'rejected');
      closedByNode(outcome.reason);
    }
  } finally {
    await t.close();
  }
});
