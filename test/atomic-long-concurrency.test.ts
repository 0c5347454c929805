import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AtomicLong } from '../src/index.ts';
import { testNode } from './support/node.ts';

const CLIENTS = 8;
const INCREMENTS = 1000;

test('concurrent increments from many connections are each applied once, in one order', async () => {
  const t = await testNode();
  try {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => t.client()));
    const results = await Promise.all(
      clients.map((client) => {
        const counter = new AtomicLong({ key: 'hits', client });
        return Promise.all(Array.from({ length: INCREMENTS }, () => counter.incrementAndGet()));
      }),
    );
    const total = CLIENTS * INCREMENTS;
    assert.equal(await new AtomicLong({ key: 'hits', client: clients[0]! }).get(), total);
    // Linearizable: every call saw a different value, and together they are exactly 1..total.
    const seen = results.flat().sort((a, b) => a - b);
    assert.deepEqual(seen, Array.from({ length: total }, (_, i) => i + 1));
  } finally {
    await t.close();
  }
});
