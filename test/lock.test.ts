import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AtomicLong, Lock } from '../src/index.ts';
import { testNode } from './support/node.ts';

test('the lock excludes every other holder and no read-modify-write is lost', async () => {
  const CLIENTS = 5;
  const ROUNDS = 40;
  const t = await testNode();
  try {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => t.client()));
    let holders = 0;
    const tokens: number[] = [];
    await Promise.all(
      clients.map(async (client) => {
        const lock = new Lock({ key: 'mutex', client });
        const counter = new AtomicLong({ key: 'guarded', client });
        for (let i = 0; i < ROUNDS; i++) {
          await lock.withLock(async (token) => {
            holders++;
            assert.equal(holders, 1, 'two holders at once');
            tokens.push(token);
            // Deliberately not atomic: only the lock keeps increments from being lost.
            const v = await counter.get();
            await counter.set(v + 1);
            holders--;
          });
        }
      }),
    );
    assert.equal(await new AtomicLong({ key: 'guarded', client: clients[0]! }).get(), CLIENTS * ROUNDS);
    assert.equal(tokens.length, CLIENTS * ROUNDS);
    for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i]! > tokens[i - 1]!, `token ${tokens[i]} after ${tokens[i - 1]}`);
    assert.equal(await new Lock({ key: 'mutex', client: clients[0]! }).isLocked(), false);
  } finally {
    await t.close();
  }
});

test('fencing tokens grow with every grant, by lock() and tryLock() alike', async () => {
  const t = await testNode();
  try {
    const lock = new Lock({ key: 'fence', client: await t.client() });
    const t1 = await lock.lock();
    assert.equal(await lock.tryLock(), null);
    await lock.unlock(t1);
    const t2 = await lock.tryLock();
    assert.ok(t2 !== null && t2 > t1);
    await lock.unlock();
    const t3 = await lock.lock();
    assert.ok(t3 > t2);
    await lock.unlock(t3);
  } finally {
    await t.close();
  }
});

test('unlock by a session that does not hold the lock fails with IllegalStateError', async () => {
  const t = await testNode();
  try {
    const mine = new Lock({ key: 'owned', client: await t.client() });
    const theirs = new Lock({ key: 'owned', client: await t.client() });
    await assert.rejects(mine.unlock(), { code: 'EREMOTE', remoteName: 'IllegalStateError' }, 'unlock of a free lock');

    const token = await mine.lock();
    await assert.rejects(theirs.unlock(), { code: 'EREMOTE', remoteName: 'IllegalStateError' });
    await assert.rejects(theirs.unlock(token), { code: 'EREMOTE', remoteName: 'IllegalStateError' });
    assert.equal(await theirs.isLocked(), true);
    assert.equal(await theirs.tryLock(), null);

    await assert.rejects(mine.unlock(token - 1), { code: 'EREMOTE', remoteName: 'IllegalStateError' }, 'stale token');
    assert.equal(await theirs.isLocked(), true);
    await mine.unlock(token);
    assert.equal(await theirs.isLocked(), false);
  } finally {
    await t.close();
  }
});

test('a lock held by a client that disconnects goes to the next waiter with a larger token', async () => {
  const t = await testNode();
  try {
    const holder = await t.client();
    const first = await new Lock({ key: 'leased', client: holder }).lock();
    const waiter = await t.client();
    const next = new Lock({ key: 'leased', client: waiter }).lock();
    await waiter.ping(); // answered after the lock() before it, which is now parked
    await holder.close();
    const second = await next;
    assert.ok(second > first, `token ${second} after ${first}`);
  } finally {
    await t.close();
  }
});

test('withLock releases the lock when its function throws', async () => {
  const t = await testNode();
  try {
    const lock = new Lock({ key: 'throws', client: await t.client() });
    const other = new Lock({ key: 'throws', client: await t.client() });
    await assert.rejects(
      lock.withLock(() => {
        throw new Error('boom');
      }),
      /boom/,
    );
    await assert.rejects(
      lock.withLock(async () => {
        await other.isLocked();
        throw new Error('async boom');
      }),
      /async boom/,
    );
    assert.equal(await other.isLocked(), false);
    const token = await other.tryLock();
    assert.notEqual(token, null);
  } finally {
    await t.close();
  }
});

test('the lock is not reentrant: a second lock() from the holder waits', async () => {
  const t = await testNode();
  try {
    const lock = new Lock({ key: 'reentry', client: await t.client() });
    const token = await lock.lock();
    let again = false;
    const second = lock.lock().then((t2) => {
      again = true;
      return t2;
    });
    await lock.isLocked(); // answered after the second lock() parked
    assert.equal(again, false);
    await lock.unlock(token);
    assert.ok((await second) > token);
    assert.equal(again, true);
  } finally {
    await t.close();
  }
});
