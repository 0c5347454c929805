import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Semaphore } from '../src/index.ts';
import { testNode } from './support/node.ts';

test('under contention the holders never outnumber the permits', async () => {
  const PERMITS = 3;
  const CLIENTS = 6;
  const CYCLES = 30;
  const t = await testNode();
  try {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => t.client()));
    let holders = 0;
    let most = 0;
    await Promise.all(
      clients.map(async (client) => {
        const sem = new Semaphore({ key: 'pool', client }, PERMITS);
        for (let i = 0; i < CYCLES; i++) {
          await sem.acquire();
          holders++;
          most = Math.max(most, holders);
          assert.ok(holders <= PERMITS, `${holders} holders of ${PERMITS} permits`);
          await sem.availablePermits(); // hold across a round trip, so holders overlap
          holders--;
          await sem.release();
        }
      }),
    );
    assert.ok(most <= PERMITS);
    assert.equal(await new Semaphore({ key: 'pool', client: clients[0]! }).availablePermits(), PERMITS);
  } finally {
    await t.close();
  }
});

test('acquire(n) takes n permits at once, and waits, taking none, until n are free', async () => {
  const t = await testNode();
  try {
    const [c1, c2] = [await t.client(), await t.client()];
    const s1 = new Semaphore({ key: 'multi', client: c1 }, 5);
    const s2 = new Semaphore({ key: 'multi', client: c2 }, 5);
    await s1.acquire(3);
    assert.equal(await s1.availablePermits(), 2);

    let granted = false;
    const big = s2.acquire(3).then(() => (granted = true));
    await c2.ping(); // a grant would have reached c2 before this reply
    assert.equal(granted, false);
    assert.equal(await s1.availablePermits(), 2, 'a waiting acquire(3) took permits');
    assert.equal(await s1.tryAcquire(3), false);
    await s1.acquire(1); // a smaller request is served past the waiting one
    assert.equal(await s1.availablePermits(), 1);

    await s1.release(2);
    await big;
    assert.equal(await s1.availablePermits(), 0);
    await s1.release(2);
    await s2.release(3);
    assert.equal(await s1.availablePermits(), 5);
    assert.equal(await s1.tryAcquire(5), true);
    assert.equal(await s1.availablePermits(), 0);
  } finally {
    await t.close();
  }
});

test('permits held by a client that disconnects are released to the waiters', async () => {
  const t = await testNode();
  try {
    const [holder, waiter, observer] = [await t.client(), await t.client(), await t.client()];
    await new Semaphore({ key: 'leased', client: holder }, 2).acquire(2);
    const waiting = new Semaphore({ key: 'leased', client: waiter }).acquire(1);
    await waiter.ping(); // answered after the acquire before it, which is now parked
    const view = new Semaphore({ key: 'leased', client: observer });
    assert.equal(await view.availablePermits(), 0);

    await holder.close();
    await waiting;
    assert.equal(await view.availablePermits(), 1);
  } finally {
    await t.close();
  }
});
