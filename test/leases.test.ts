import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lock, Semaphore } from '../src/index.ts';
import { runFixture } from './support/fixture.ts';
import { FrameProxy, stopChild, testNode, waitForLine } from './support/node.ts';
import { connect } from '../src/index.ts';

test('a lock held by a process that is killed goes to the next waiter with a larger token once its session times out', async () => {
  const t = await testNode({ sessionTtlMs: 100 });
  const child = runFixture('hold-lock.ts', [t.url, 'killed-lock']);
  try {
    const [, held] = await waitForLine(child, /holding (\d+)/);
    const client = await t.client();
    const lock = new Lock({ key: 'killed-lock', client });
    assert.equal(await lock.isLocked(), true);
    const next = lock.lock();
    await client.ping(); // answered after the lock() before it, which is now parked

    await stopChild(child); // SIGKILL: nothing runs in the child to give the lock back
    const token = await next;
    assert.ok(token > Number(held), `token ${token} after the killed holder's ${held}`);
    await lock.unlock(token);
  } finally {
    await stopChild(child);
    await t.close();
  }
});

test('semaphore permits held by a process that is killed are released to the waiters once its session times out', async () => {
  const t = await testNode({ sessionTtlMs: 100 });
  const child = runFixture('hold-permits.ts', [t.url, 'killed-permits', '3', '2']);
  try {
    await waitForLine(child, /holding/);
    const client = await t.client();
    const sem = new Semaphore({ key: 'killed-permits', client });
    assert.equal(await sem.availablePermits(), 1);
    const waiting = sem.acquire(3);
    await client.ping(); // answered after the acquire() before it, which is now parked

    await stopChild(child); // SIGKILL: nothing runs in the child to release the permits
    await waiting;
    assert.equal(await sem.availablePermits(), 0);
    await sem.release(3);
    assert.equal(await sem.availablePermits(), 3);
  } finally {
    await stopChild(child);
    await t.close();
  }
});

test('a client that closes releases only the leases of its own session', async () => {
  const t = await testNode();
  try {
    const [a, b] = [await t.client(), await t.client()];
    await new Semaphore({ key: 'shared-permits', client: a }, 4).acquire(1);
    await new Semaphore({ key: 'shared-permits', client: b }).acquire(2);
    await new Lock({ key: 'b-lock', client: b }).lock();

    await a.close();
    const view = await t.client();
    const viewSem = new Semaphore({ key: 'shared-permits', client: view });
    await viewSem.acquire(2); // possible once a's permit is back
    assert.equal(await viewSem.availablePermits(), 0, "b's permits were released with a's");
    assert.equal(await new Lock({ key: 'b-lock', client: view }).isLocked(), true);
  } finally {
    await t.close();
  }
});

test('a permit released by another session is not given back again when its acquirer ends', async () => {
  const t = await testNode();
  try {
    const acquirer = await t.client();
    const releaser = await t.client();
    const observer = await t.client();
    await new Semaphore({ key: 'handed-over', client: acquirer }, 2).acquire(1);
    await new Lock({ key: 'acquirer-alive', client: acquirer }).lock();
    await new Semaphore({ key: 'handed-over', client: releaser }).release(1);
    const sem = new Semaphore({ key: 'handed-over', client: observer });
    assert.equal(await sem.availablePermits(), 2);
    await acquirer.close();
    // The node ends a session's leases in one step: once its lock is free, its permits are settled.
    await new Lock({ key: 'acquirer-alive', client: observer }).lock();
    assert.equal(await sem.availablePermits(), 2, 'the handed-over permit must not be returned twice');
  } finally {
    await t.close();
  }
});

test('a lease belongs to the session, not the connection: it survives a reconnect within the session timeout', async () => {
  const t = await testNode();
  const proxy = await FrameProxy.start(t.url);
  const holder = await connect({ url: proxy.url });
  try {
    const lock = new Lock({ key: 'kept-lock', client: holder });
    const token = await lock.lock();
    proxy.cut();
    const other = await t.client();
    assert.equal(await new Lock({ key: 'kept-lock', client: other }).tryLock(), null, 'still held while its session lives');
    // The holder's next call reconnects and resumes its session, so the unlock is the holder's.
    await lock.unlock(token);
    assert.notEqual(await new Lock({ key: 'kept-lock', client: other }).tryLock(), null);
  } finally {
    await holder.close();
    await proxy.close();
    await t.close();
  }
});
