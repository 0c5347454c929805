import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AtomicLong, CountDownLatch, SharedFuture, SharedMap } from '../src/index.ts';
import { testNode } from './support/node.ts';

test('a parked call holds up no other call on its connection, its object or other objects', async () => {
  const t = await testNode();
  try {
    const client = await t.client();
    const future = new SharedFuture<string>({ key: 'slow', client });
    let settled = false;
    const parked = future.get().finally(() => (settled = true));

    // Same connection, other objects.
    const counter = new AtomicLong({ key: 'count', client });
    const results = await Promise.all(Array.from({ length: 100 }, () => counter.incrementAndGet()));
    assert.equal(results.at(-1), 100);
    const map = new SharedMap<string, number>({ key: 'map', client });
    await map.set('a', 1);
    assert.equal(await map.get('a'), 1);
    // Same connection, same object.
    assert.equal(await future.isDone(), false);
    // Another blocking call on the same connection completes while the first stays parked.
    const latch = new CountDownLatch({ key: 'latch', client }, 1);
    const opened = latch.await();
    await latch.countDown();
    await opened;
    assert.equal(settled, false);

    assert.equal(await new SharedFuture<string>({ key: 'slow', client: await t.client() }).set('now'), true);
    assert.equal(await parked, 'now');
  } finally {
    await t.close();
  }
});
