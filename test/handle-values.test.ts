import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AtomicBoolean,
  AtomicLong,
  AtomicMatrix,
  AtomicReference,
  CountDownLatch,
  CyclicBarrier,
  Lock,
  Semaphore,
  SharedFuture,
  SharedList,
  SharedMap,
  SharedObject,
  type Client,
} from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let writer: Client;
let reader: Client;
before(async () => {
  t = await testNode();
  writer = await t.client();
  reader = await t.client();
});
after(() => t.close());

function assertHandle(value: unknown, cls: abstract new (...args: never[]) => SharedObject, key: string, client: Client): void {
  assert.ok(value instanceof cls, `expected a ${cls.name}, got ${String(value?.constructor?.name)}`);
  assert.equal(value.key, key);
  assert.equal(value.client, client, 'bound to the client it was read through');
}

test('a handle stored in an AtomicReference comes back as a live handle bound to the reader', async () => {
  const counter = new AtomicLong({ key: 'hv/counter', client: writer }, 10);
  await counter.get();
  await new AtomicReference({ key: 'hv/ref', client: writer }).set(counter);
  const got = await new AtomicReference<AtomicLong>({ key: 'hv/ref', client: reader }).get();
  assertHandle(got, AtomicLong, 'hv/counter', reader);
  assert.equal(await got!.incrementAndGet(), 11);
  assert.equal(await counter.get(), 11, 'it names the same object');
});

test('handles of every type stored in a SharedMap and a SharedList keep their class, even nested', async () => {
  const handles: Array<[SharedObject, abstract new (...args: never[]) => SharedObject]> = [
    [new AtomicLong({ key: 'hv/long', client: writer }), AtomicLong],
    [new AtomicBoolean({ key: 'hv/bool', client: writer }), AtomicBoolean],
    [new AtomicReference({ key: 'hv/ref2', client: writer }), AtomicReference],
    [new SharedMap({ key: 'hv/map2', client: writer }), SharedMap],
    [new SharedList({ key: 'hv/list2', client: writer }), SharedList],
    [new AtomicMatrix({ key: 'hv/matrix', client: writer }, 1, 1), AtomicMatrix],
    [new CyclicBarrier({ key: 'hv/barrier', client: writer }, 2), CyclicBarrier],
    [new CountDownLatch({ key: 'hv/latch', client: writer }, 1), CountDownLatch],
    [new Semaphore({ key: 'hv/semaphore', client: writer }, 1), Semaphore],
    [new Lock({ key: 'hv/lock', client: writer }), Lock],
    [new SharedFuture({ key: 'hv/future', client: writer }), SharedFuture],
  ];
  const map = new SharedMap<string, unknown>({ key: 'hv/map', client: writer });
  const list = new SharedList<unknown>({ key: 'hv/list', client: writer });
  for (const [h] of handles) await map.set(h.key, { nested: [h] });
  await list.push(...handles.map(([h]) => h));

  const readMap = new SharedMap<string, { nested: unknown[] }>({ key: 'hv/map', client: reader });
  const readList = new SharedList<unknown>({ key: 'hv/list', client: reader });
  const fromList = await readList.slice();
  for (const [i, [h, cls]] of handles.entries()) {
    assertHandle((await readMap.get(h.key))!.nested[0], cls, h.key, reader);
    assertHandle(fromList[i], cls, h.key, reader);
    assertHandle(await readList.get(i), cls, h.key, reader);
  }
  for (const [k, v] of await readMap.entries()) assertHandle(v.nested[0], handles.find(([h]) => h.key === k)![1], k, reader);
});

test('a handle read back calls the object it names, which keeps its state', async () => {
  const latch = new CountDownLatch({ key: 'hv/live-latch', client: writer }, 2);
  assert.equal(await latch.getCount(), 2);
  await new SharedList({ key: 'hv/live-list', client: writer }).push(latch);
  const got = await new SharedList<CountDownLatch>({ key: 'hv/live-list', client: reader }).get(0);
  assertHandle(got, CountDownLatch, 'hv/live-latch', reader);
  await got.countDown();
  assert.equal(await latch.getCount(), 1);
});

test('compareAndSet matches a stored handle by type and key', async () => {
  const a = new AtomicLong({ key: 'hv/cas-a', client: writer });
  const b = new AtomicLong({ key: 'hv/cas-b', client: writer });
  const ref = new AtomicReference<SharedObject>({ key: 'hv/cas', client: writer }, a);
  assert.equal(await ref.compareAndSet(b, b), false);
  assert.equal(await ref.compareAndSet(new AtomicBoolean({ key: 'hv/cas-a', client: writer }), b), false, 'same key, other type');
  assert.equal(await ref.compareAndSet(new AtomicLong({ key: 'hv/cas-a', client: reader }), b), true, 'another handle of the same object');
  assertHandle(await ref.get(), AtomicLong, 'hv/cas-b', writer);
});
