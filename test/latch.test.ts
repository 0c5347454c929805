import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CountDownLatch } from '../src/index.ts';
import { testNode } from './support/node.ts';

test('awaiters are released exactly when the count reaches zero', async () => {
  const t = await testNode();
  try {
    const counter = new CountDownLatch({ key: 'gate', client: await t.client() }, 3);
    const awaiters = await Promise.all(Array.from({ length: 4 }, () => t.client()));
    let released = 0;
    const waits = awaiters.map((client) => new CountDownLatch({ key: 'gate', client }, 3).await().then(() => released++));
    const settle = (): Promise<unknown> => Promise.all(awaiters.map((c) => c.ping()));

    for (const expected of [2, 1]) {
      await counter.countDown();
      assert.equal(await counter.getCount(), expected);
      // A release would have reached each awaiter's connection before this round trip's reply.
      await settle();
      assert.equal(released, 0, `an awaiter was released at count ${expected}`);
    }
    await counter.countDown();
    await Promise.all(waits);
    assert.equal(released, 4);
    assert.equal(await counter.getCount(), 0);
  } finally {
    await t.close();
  }
});

test('await on an open latch returns without waiting', async () => {
  const t = await testNode();
  try {
    const client = await t.client();
    const latch = new CountDownLatch({ key: 'open', client }, 1);
    await latch.countDown();
    // timeoutMs 0: a call that had to wait would fail at once.
    await latch.await({ timeoutMs: 0 });
    await latch.await();
    const neverClosed = new CountDownLatch({ key: 'zero', client }, 0);
    await neverClosed.await({ timeoutMs: 0 });
  } finally {
    await t.close();
  }
});

test('countDown below zero keeps the count at zero and the latch open', async () => {
  const t = await testNode();
  try {
    const latch = new CountDownLatch({ key: 'floor', client: await t.client() }, 1);
    await latch.countDown();
    await latch.countDown();
    assert.equal(await latch.getCount(), 0);
    await latch.await({ timeoutMs: 0 });
  } finally {
    await t.close();
  }
});
