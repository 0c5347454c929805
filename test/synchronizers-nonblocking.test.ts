import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CountDownLatch, CyclicBarrier, Lock, Semaphore, SharedFuture, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
let other: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
  other = await t.client();
});
after(() => t.close());

const illegalState = { name: 'RemoteError', code: 'EREMOTE', remoteName: 'IllegalStateError' };

test('CyclicBarrier: parties is its size; waiting counts the parties that have arrived', async () => {
  const b = new CyclicBarrier({ key: 'sync/barrier', client }, 2);
  assert.equal(await b.parties(), 2);
  assert.equal(await b.waiting(), 0);
  // Calls on one client reach the node in order, so the first arrival is parked before `waiting`.
  const first = b.await();
  assert.equal(await b.waiting(), 1);
  const last = b.await();
  assert.deepEqual(await Promise.all([first, last]), [1, 0]);
  assert.equal(await b.waiting(), 0);
  assert.equal(await b.parties(), 2);
});

test('CountDownLatch: countDown lowers getCount, never below zero', async () => {
  const l = new CountDownLatch({ key: 'sync/latch', client }, 2);
  assert.equal(await l.getCount(), 2);
  await l.countDown();
  assert.equal(await l.getCount(), 1);
  await l.countDown();
  assert.equal(await l.getCount(), 0);
  await l.countDown();
  assert.equal(await l.getCount(), 0);
  await l.await(); // open: returns at once
});

test('Semaphore: tryAcquire takes permits only when enough are free; release gives them back', async () => {
  const s = new Semaphore({ key: 'sync/semaphore', client }, 3);
  assert.equal(await s.availablePermits(), 3);
  assert.equal(await s.tryAcquire(), true);
  assert.equal(await s.availablePermits(), 2);
  assert.equal(await s.tryAcquire(3), false);
  assert.equal(await s.availablePermits(), 2, 'a failed tryAcquire takes nothing');
  assert.equal(await s.tryAcquire(2), true);
  assert.equal(await s.tryAcquire(), false);
  assert.equal(await s.availablePermits(), 0);
  await s.release(2);
  assert.equal(await s.availablePermits(), 2);
  await s.release();
  assert.equal(await s.availablePermits(), 3);
  // As in Java, release may add permits nobody acquired.
  await new Semaphore({ key: 'sync/semaphore', client: other }).release(2);
  assert.equal(await s.availablePermits(), 5);
});

test('Lock: tryLock grants a free lock with a growing fencing token; only the holder unlocks', async () => {
  const mine = new Lock({ key: 'sync/lock', client });
  const theirs = new Lock({ key: 'sync/lock', client: other });
  assert.equal(await mine.isLocked(), false);
  await assert.rejects(mine.unlock(), illegalState, 'nobody holds it');
  const token = await mine.tryLock();
  assert.equal(typeof token, 'number');
  assert.equal(await theirs.isLocked(), true);
  assert.equal(await theirs.tryLock(), null);
  assert.equal(await mine.tryLock(), null, 'not reentrant');
  await assert.rejects(theirs.unlock(), illegalState, 'another session holds it');
  await assert.rejects(mine.unlock(token! - 1), illegalState, 'a stale token');
  assert.equal(await mine.isLocked(), true);
  await mine.unlock(token!);
  assert.equal(await mine.isLocked(), false);
  const next = await theirs.tryLock();
  assert.ok(next !== null && next > token!);
  await theirs.unlock();
  assert.equal(await theirs.isLocked(), false);
});

test('SharedFuture: set completes it once; later set and fail change nothing', async () => {
  const f = new SharedFuture<{ v: number }>({ key: 'sync/future-set', client });
  assert.equal(await f.isDone(), false);
  assert.equal(await f.set({ v: 1 }), true);
  assert.equal(await f.isDone(), true);
  assert.equal(await f.set({ v: 2 }), false);
  assert.equal(await f.fail('late'), false);
  assert.deepEqual(await f.get(), { v: 1 });
});

test('SharedFuture: fail completes it with a failure that get reports', async () => {
  const f = new SharedFuture<number>({ key: 'sync/future-fail', client });
  assert.equal(await f.fail('it broke'), true);
  assert.equal(await f.isDone(), true);
  assert.equal(await f.set(1), false);
  assert.equal(await f.fail('again'), false);
  await assert.rejects(f.get(), { name: 'RemoteError', remoteName: 'FutureFailedError', message: 'it broke' });
});
