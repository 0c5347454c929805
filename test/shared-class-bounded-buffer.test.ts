import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeoutError } from '../src/index.ts';
import { BoundedBuffer } from './fixtures/shared-classes.ts';
import { testNode } from './support/node.ts';
import { settledBy } from './support/settled.ts';

test('put on a full buffer and take on an empty one park until the other side makes room', { timeout: 10_000 }, async ({ signal }) => {
  const t = await testNode({ objects: [BoundedBuffer] }, signal);
  try {
    const [a, b] = [await t.client(), await t.client()];
    const producer = new BoundedBuffer({ key: 'handoff', client: a }, 2);
    const consumer = new BoundedBuffer({ key: 'handoff', client: b }, 2);
    assert.equal(await producer.put('x'), 1);
    assert.equal(await producer.put('y'), 2);
    const third = producer.put('z');
    assert.equal(await settledBy(third, a), false, 'put on a full buffer parks');
    assert.equal(await consumer.take(), 'x');
    assert.equal(await third, 2, 'the parked put went in once there was room');
    assert.equal(await consumer.take(), 'y');
    assert.equal(await consumer.take(), 'z');

    const taking = consumer.take();
    assert.equal(await settledBy(taking, b), false, 'take on an empty buffer parks');
    assert.equal(await producer.put('w'), 1);
    assert.equal(await taking, 'w');
    assert.equal(await producer.size(), 0);
  } finally {
    await t.close();
  }
});

test('producers and consumers on several clients: each item taken once, in order, never over capacity', { timeout: 10_000 }, async ({ signal }) => {
  const CAPACITY = 2;
  const PRODUCERS = 3;
  const CONSUMERS = 3;
  const ITEMS = 30;
  const t = await testNode({ objects: [BoundedBuffer] }, signal);
  try {
    const open = async (): Promise<InstanceType<typeof BoundedBuffer>> =>
      new BoundedBuffer({ key: 'pc', client: await t.client() }, CAPACITY);
    const producers = await Promise.all(Array.from({ length: PRODUCERS }, open));
    const consumers = await Promise.all(Array.from({ length: CONSUMERS }, open));
    const watcher = await open();
    let running = true;
    const sizes: number[] = [];
    const watching = (async () => {
      for (let i = 0; i < 10_000 && running; i++) sizes.push(await watcher.size());
    })();

    const work = Promise.all([
      ...producers.map(async (buffer, p) => {
        for (let i = 0; i < ITEMS; i++) {
          const size = await buffer.put({ p, i });
          assert.ok(size >= 1 && size <= CAPACITY, `size ${size} after a put`);
        }
      }),
      ...consumers.map(async (buffer) => {
        const got: { p: number; i: number }[] = [];
        for (let n = 0; n < ITEMS * PRODUCERS / CONSUMERS; n++) got.push((await buffer.take()) as { p: number; i: number });
        return got;
      }),
    ]);
    const taken = (await work.finally(() => (running = false))).slice(PRODUCERS) as { p: number; i: number }[][];
    await watching;

    for (const [c, got] of taken.entries()) {
      for (let p = 0; p < PRODUCERS; p++) {
        const order = got.filter((item) => item.p === p).map((item) => item.i);
        assert.deepEqual(order, [...order].sort((x, y) => x - y), `consumer ${c} got producer ${p}'s items out of order`);
      }
    }
    const all = taken.flat().map(({ p, i }) => p * ITEMS + i).sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: PRODUCERS * ITEMS }, (_, k) => k), 'every item taken exactly once');
    assert.ok(sizes.length > 0 && sizes.every((s) => s >= 0 && s <= CAPACITY), `sizes seen: ${sizes}`);
    assert.equal(await watcher.highWater(), CAPACITY, 'the buffer filled up but never overflowed');
    assert.equal(await watcher.size(), 0);
  } finally {
    await t.close();
  }
});

test('one consumer sees every producer\'s items in the order they were put', { timeout: 10_000 }, async ({ signal }) => {
  const t = await testNode({ objects: [BoundedBuffer] }, signal);
  try {
    const open = async (): Promise<InstanceType<typeof BoundedBuffer>> =>
      new BoundedBuffer({ key: 'fifo', client: await t.client() }, 2);
    const [p0, p1, consumer] = [await open(), await open(), await open()];
    const produce = async (buffer: InstanceType<typeof BoundedBuffer>, p: number): Promise<void> => {
      for (let i = 0; i < 20; i++) await buffer.put(`${p}:${i}`);
    };
    const producing = Promise.all([produce(p0, 0), produce(p1, 1)]);
    const got: string[] = [];
    for (let n = 0; n < 40; n++) got.push((await consumer.take()) as string);
    await producing;
    for (const p of [0, 1]) {
      assert.deepEqual(
        got.filter((s) => s.startsWith(`${p}:`)),
        Array.from({ length: 20 }, (_, i) => `${p}:${i}`),
      );
    }
  } finally {
    await t.close();
  }
});

test('withOptions({ timeoutMs }) on a full put or empty take rejects with TimeoutError, changing nothing', { timeout: 10_000 }, async ({ signal }) => {
  const t = await testNode({ objects: [BoundedBuffer] }, signal);
  try {
    const client = await t.client();
    const buffer = new BoundedBuffer({ key: 'timeouts', client }, 2);
    await assert.rejects(buffer.withOptions({ timeoutMs: 20 }).take(), TimeoutError);
    assert.equal(await buffer.size(), 0);
    // A withdrawn take must not swallow the next item.
    assert.equal(await buffer.put('a'), 1);
    assert.equal(await buffer.put('b'), 2);

    await assert.rejects(buffer.withOptions({ timeoutMs: 20 }).put('late'), (err: unknown) => {
      assert.ok(err instanceof TimeoutError);
      assert.equal(err.code, 'ETIMEOUT');
      assert.match(err.message, /BoundedBuffer 'timeouts'\.put\(\) timed out after 20 ms/);
      return true;
    });
    assert.equal(await buffer.size(), 2);
    assert.equal(await buffer.take(), 'a');
    assert.equal(await buffer.take(), 'b');
    // A withdrawn put must not come in once there is room.
    assert.equal(await buffer.size(), 0);
    assert.equal(await buffer.highWater(), 2);
  } finally {
    await t.close();
  }
});
