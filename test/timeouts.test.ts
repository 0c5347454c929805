import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CountDownLatch, CyclicBarrier, Lock, Semaphore, SharedFuture, TimeoutError } from '../src/index.ts';
import { testNode } from './support/node.ts';

/** Waits short enough to keep the tests fast; only the timeout path depends on it. */
const SHORT = { timeoutMs: 20 };

function timedOut(err: unknown): boolean {
  assert.ok(err instanceof TimeoutError, `expected a TimeoutError, got ${String(err)}`);
  assert.equal(err.code, 'ETIMEOUT');
  return true;
}

test('CyclicBarrier.await times out and takes its arrival back', async () => {
  const t = await testNode();
  try {
    const barrier = new CyclicBarrier({ key: 'b', client: await t.client() }, 2);
    await assert.rejects(barrier.await(SHORT), timedOut);
    assert.equal(await barrier.waiting(), 0);
    const other = new CyclicBarrier({ key: 'b', client: await t.client() });
    const round = await Promise.all([barrier.await(), other.await()]);
    assert.deepEqual(round.sort(), [0, 1]);
  } finally {
    await t.close();
  }
});

test('CountDownLatch.await times out and leaves the count alone', async () => {
  const t = await testNode();
  try {
    const latch = new CountDownLatch({ key: 'l', client: await t.client() }, 1);
    await assert.rejects(latch.await(SHORT), timedOut);
    assert.equal(await latch.getCount(), 1);
    await latch.countDown();
    await latch.await(SHORT);
  } finally {
    await t.close();
  }
});

test('Semaphore.acquire times out and takes no permits', async () => {
  const t = await testNode();
  try {
    const holder = new Semaphore({ key: 's', client: await t.client() }, 2);
    const other = new Semaphore({ key: 's', client: await t.client() });
    await holder.acquire();
    await assert.rejects(other.acquire(2, SHORT), timedOut);
    assert.equal(await other.availablePermits(), 1);
    await holder.release();
    assert.equal(await other.tryAcquire(2), true);
    assert.equal(await other.availablePermits(), 0);
  } finally {
    await t.close();
  }
});

test('Lock.lock times out without holding or consuming a grant', async () => {
  const t = await testNode();
  try {
    const holder = new Lock({ key: 'k', client: await t.client() });
    const other = new Lock({ key: 'k', client: await t.client() });
    const token = await holder.lock();
    await assert.rejects(other.lock(SHORT), timedOut);
    await assert.rejects(other.unlock(), { remoteName: 'IllegalStateError' });
    await holder.unlock(token);
    assert.equal(await other.isLocked(), false);
    assert.equal(await other.tryLock(), token + 1);
  } finally {
    await t.close();
  }
});

test('SharedFuture.get times out and the future stays pending', async () => {
  const t = await testNode();
  try {
    const future = new SharedFuture<number>({ key: 'f', client: await t.client() });
    await assert.rejects(future.get(SHORT), timedOut);
    assert.equal(await future.isDone(), false);
    assert.equal(await future.set(5), true);
    assert.equal(await future.get(SHORT), 5);
  } finally {
    await t.close();
  }
});

test('a blocked call served before its timeout resolves normally', async () => {
  const t = await testNode();
  try {
    const future = new SharedFuture<string>({ key: 'in-time', client: await t.client() });
    const waiter = future.get({ timeoutMs: 60_000 });
    await future.set('served');
    // Its timer is cleared too: a leftover one would keep this file's process alive for a minute.
    assert.equal(await waiter, 'served');
  } finally {
    await t.close();
  }
});
