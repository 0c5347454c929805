import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AtomicLong, Semaphore, SharedFuture, SharedMap, TimeoutError } from '../src/index.ts';
import { testNode } from './support/node.ts';

// The node keeps a parked-call queue only while an object has parked calls: these tests cover the
// queue coming and going, and objects being replaced or destroyed while calls wait on them.

const destroyed = { code: 'EDESTROYED' };

test('a call that parks and times out leaves its object working: later calls park and are woken again', async (t) => {
  const node = await testNode({}, t.signal);
  try {
    const sem = new Semaphore({ key: 'q/sem', client: await node.client() }, 0);
    await assert.rejects(sem.acquire(1, { timeoutMs: 20 }), TimeoutError);
    assert.equal(await sem.availablePermits(), 0);
    await assert.rejects(sem.acquire(1, { timeoutMs: 20 }), TimeoutError, 'a second timeout after the queue emptied');
    const waiter = sem.acquire(2);
    await sem.release(1);
    assert.equal(await sem.availablePermits(), 1, 'one permit is not enough for the waiter');
    await sem.release(1);
    await waiter;
    assert.equal(await sem.availablePermits(), 0);
  } finally {
    await node.close();
  }
});

test('destroying an object fails its parked calls; the object made anew at its key has none of them', async (t) => {
  const node = await testNode({}, t.signal);
  try {
    const client = await node.client();
    const future = new SharedFuture<number>({ key: 'q/future', client });
    const parked = future.get();
    assert.equal(await future.isDone(), false);
    assert.equal(await future.destroy(), true);
    await assert.rejects(parked, destroyed);
    const again = future.get();
    assert.equal(await future.set(7), true, 'a fresh future');
    assert.equal(await again, 7);
  } finally {
    await node.close();
  }
});

test('forceNew fails the parked calls of the object it replaces; the new object parks and wakes its own', async (t) => {
  const node = await testNode({}, t.signal);
  try {
    const client = await node.client();
    const old = new Semaphore({ key: 'q/replaced', client }, 0);
    const parkedOnOld = old.acquire();
    assert.equal(await old.availablePermits(), 0);
    const fresh = new Semaphore({ key: 'q/replaced', client, forceNew: true }, 0);
    assert.equal(await fresh.availablePermits(), 0);
    await assert.rejects(parkedOnOld, destroyed);
    const parkedOnFresh = fresh.acquire();
    await fresh.release(1);
    await parkedOnFresh;
    assert.equal(await fresh.availablePermits(), 0, 'the one permit went to the new waiter');
  } finally {
    await node.close();
  }
});

test('objects of several types share one key space: counted, listed and destroyed by key whatever their type', async (t) => {
  const node = await testNode({}, t.signal);
  try {
    const client = await node.client();
    await new AtomicLong({ key: 'mix/a', client }).incrementAndGet();
    await new SharedMap({ key: 'mix/b', client }).set('x', 1);
    await new Semaphore({ key: 'mix/c', client }, 1).availablePermits();
    assert.equal(node.node.objectCount(), 3);
    assert.deepEqual(await client.keys('mix/'), ['mix/a', 'mix/b', 'mix/c']);
    await assert.rejects(new AtomicLong({ key: 'mix/b', client }).get(), { code: 'ETYPE_MISMATCH' });
    assert.equal(await new AtomicLong({ key: 'mix/b', client }).destroy(), true, 'destroy names a key, not a type');
    assert.equal(node.node.objectCount(), 2);
    assert.equal(await new AtomicLong({ key: 'mix/b', client }).incrementAndGet(), 1);
    assert.deepEqual(await client.keys('mix/'), ['mix/a', 'mix/b', 'mix/c']);
  } finally {
    await node.close();
  }
});
