import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedFuture } from '../src/index.ts';
import { testNode } from './support/node.ts';

test('get() before set() waits and resolves to the value, for every waiter', async () => {
  const t = await testNode();
  try {
    const waiters = await Promise.all(Array.from({ length: 3 }, () => t.client()));
    let resolved = 0;
    const gets = waiters.map((client) =>
      new SharedFuture<{ answer: number }>({ key: 'result', client }).get().then((v) => {
        resolved++;
        return v;
      }),
    );
    await Promise.all(waiters.map((c) => c.ping())); // each get() is parked on the node now
    assert.equal(resolved, 0);

    const setter = new SharedFuture<{ answer: number }>({ key: 'result', client: await t.client() });
    assert.equal(await setter.isDone(), false);
    assert.equal(await setter.set({ answer: 42 }), true);
    assert.deepEqual(await Promise.all(gets), [{ answer: 42 }, { answer: 42 }, { answer: 42 }]);
    assert.equal(await setter.isDone(), true);
  } finally {
    await t.close();
  }
});

test('get() after set() resolves at once', async () => {
  const t = await testNode();
  try {
    const future = new SharedFuture<string>({ key: 'ready', client: await t.client() });
    await future.set('done');
    assert.equal(await future.get({ timeoutMs: 0 }), 'done');
    assert.equal(await future.get(), 'done');
  } finally {
    await t.close();
  }
});

test('fail(message) makes every get() reject with FutureFailedError', async () => {
  const t = await testNode();
  try {
    const [c1, c2] = [await t.client(), await t.client()];
    const failed = { code: 'EREMOTE', remoteName: 'FutureFailedError', message: 'the job crashed' };
    const early = assert.rejects(new SharedFuture({ key: 'failing', client: c1 }).get(), failed);
    await c1.ping(); // the get() is parked on the node now
    const future = new SharedFuture({ key: 'failing', client: c2 });
    assert.equal(await future.fail('the job crashed'), true);
    await early;
    await assert.rejects(future.get(), failed);
    assert.equal(await future.isDone(), true);
  } finally {
    await t.close();
  }
});

test('a future completes once: later set() and fail() return false and change nothing', async () => {
  const t = await testNode();
  try {
    const future = new SharedFuture<number>({ key: 'once', client: await t.client() });
    assert.equal(await future.set(1), true);
    assert.equal(await future.set(2), false);
    assert.equal(await future.fail('too late'), false);
    assert.equal(await future.get(), 1);

    const failed = new SharedFuture<number>({ key: 'failed-once', client: await t.client() });
    assert.equal(await failed.fail('first'), true);
    assert.equal(await failed.set(3), false);
    await assert.rejects(failed.get(), { remoteName: 'FutureFailedError', message: 'first' });
  } finally {
    await t.close();
  }
});
