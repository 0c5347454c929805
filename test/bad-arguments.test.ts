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
  type Client,
  type SharedObject,
} from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

const badArgs = { name: 'InvalidCallError', code: 'EBAD_ARGS' };

/** Calls `method` with exactly `args`, bypassing the typed handle, as a foreign or buggy client could. */
function raw(target: SharedObject, method: string, ...args: unknown[]): Promise<unknown> {
  return client.call(target, method, args);
}

/** A read-only method of each type, to make the first call with. */
const probes: Record<string, string> = {
  AtomicLong: 'get',
  AtomicBoolean: 'get',
  AtomicReference: 'get',
  SharedMap: 'size',
  SharedList: 'size',
  AtomicMatrix: 'toArray',
  CyclicBarrier: 'parties',
  CountDownLatch: 'getCount',
  Semaphore: 'availablePermits',
  Lock: 'isLocked',
  SharedFuture: 'isDone',
};

/** The first call of a handle of `type` at `key` whose init args are exactly `init`. */
function created(type: string, key: string, init: unknown[]): Promise<unknown> {
  return client.call({ type, key, init, forceNew: false, initSent: false }, probes[type]!, []);
}

test('bad init args are EBAD_ARGS at the first call, and no object is created', async () => {
  const cases: Array<[type: string, init: unknown[]]> = [
    ['AtomicLong', ['5']],
    ['AtomicLong', [1.5]],
    ['AtomicLong', [2 ** 53]],
    ['AtomicLong', [1, 2]],
    ['AtomicBoolean', ['true']],
    ['AtomicBoolean', [0]],
    ['AtomicReference', [1, 2]],
    ['SharedMap', [{}]],
    ['SharedList', [[1, 2]]],
    ['AtomicMatrix', []],
    ['AtomicMatrix', [2]],
    ['AtomicMatrix', [0, 2]],
    ['AtomicMatrix', [1, 2 ** 22]],
    ['AtomicMatrix', [2, -1]],
    ['AtomicMatrix', [1.5, 2]],
    ['AtomicMatrix', ['2', 2]],
    ['AtomicMatrix', [2 ** 14, 2 ** 14]],
    ['CyclicBarrier', []],
    ['CyclicBarrier', [0]],
    ['CyclicBarrier', [-1]],
    ['CyclicBarrier', ['2']],
    ['CountDownLatch', []],
    ['CountDownLatch', [-1]],
    ['CountDownLatch', [0.5]],
    ['Semaphore', []],
    ['Semaphore', [-1]],
    ['Semaphore', [null]],
    ['Lock', [1]],
    ['SharedFuture', ['value']],
  ];
  for (const [i, [type, init]] of cases.entries()) {
    await assert.rejects(created(type, `bad-init/${i}`, init), badArgs, `new ${type}(${JSON.stringify(init)})`);
  }
  assert.deepEqual(await client.keys('bad-init/'), []);
});

test('the typed constructors refuse bad init args the same way', async () => {
  await assert.rejects(new CyclicBarrier({ key: 'bad-ctor/barrier', client }, 0).await({ timeoutMs: 1000 }), badArgs);
  await assert.rejects(new CyclicBarrier({ key: 'bad-ctor/barrier', client }).parties(), badArgs);
  await assert.rejects(new CountDownLatch({ key: 'bad-ctor/latch', client }, -1).getCount(), badArgs);
  await assert.rejects(new Semaphore({ key: 'bad-ctor/semaphore', client }).availablePermits(), badArgs);
  await assert.rejects(new AtomicMatrix({ key: 'bad-ctor/matrix', client }, 3).toArray(), badArgs);
  await assert.rejects(new AtomicLong({ key: 'bad-ctor/long', client }, 0.5).get(), badArgs);
  await assert.rejects(new AtomicBoolean({ key: 'bad-ctor/bool', client }, 'no' as unknown as boolean).get(), badArgs);
  assert.deepEqual(await client.keys('bad-ctor/'), []);
});

test('AtomicLong and AtomicBoolean refuse wrong argument types and counts, and keep their value', async () => {
  const n = new AtomicLong({ key: 'bad/long', client }, 7);
  for (const call of [
    () => n.set('1' as unknown as number),
    () => n.getAndSet(null as unknown as number),
    () => n.addAndGet(1.5),
    () => n.getAndAdd(Number.NaN),
    () => n.compareAndSet(7, 'x' as unknown as number),
    () => n.compareAndSet('7' as unknown as number, 1),
    () => raw(n, 'get', 1),
    () => raw(n, 'set'),
    () => raw(n, 'incrementAndGet', 5),
    () => raw(n, 'compareAndSet', 7),
  ]) {
    await assert.rejects(call(), badArgs);
  }
  assert.equal(await n.get(), 7);

  const b = new AtomicBoolean({ key: 'bad/bool', client }, true);
  for (const call of [
    () => b.set(1 as unknown as boolean),
    () => b.getAndSet('false' as unknown as boolean),
    () => b.compareAndSet(true, null as unknown as boolean),
    () => raw(b, 'getAndSet'),
    () => raw(b, 'compareAndSet', true, false, true),
  ]) {
    await assert.rejects(call(), badArgs);
  }
  assert.equal(await b.get(), true);
});

test('AtomicReference takes any value but refuses wrong argument counts', async () => {
  const r = new AtomicReference({ key: 'bad/ref', client }, 'kept');
  await assert.rejects(raw(r, 'set'), badArgs);
  await assert.rejects(raw(r, 'set', 1, 2), badArgs);
  await assert.rejects(raw(r, 'compareAndSet', 'kept'), badArgs);
  await assert.rejects(raw(r, 'get', 'kept'), badArgs);
  assert.equal(await r.get(), 'kept');
});

test('SharedMap refuses keys that are not strings or numbers, bad reducers and wrong counts', async () => {
  const m = new SharedMap<string, number>({ key: 'bad/map', client });
  await m.set('a', 1);
  for (const call of [
    () => raw(m, 'set', { k: 1 }, 1),
    () => raw(m, 'set', null, 1),
    () => raw(m, 'set', true, 1),
    () => raw(m, 'set', Number.NaN, 1),
    () => raw(m, 'get', ['a']),
    () => raw(m, 'has', undefined),
    () => raw(m, 'delete', new Float64Array(1)),
    () => m.merge('a', 1, 42 as unknown as string),
    () => m.merge('a', 1, 'nope'),
    () => raw(m, 'set', 'a'),
    () => raw(m, 'merge', 'a', 1),
    () => raw(m, 'mergeAll', [['a', 1]]),
    () => raw(m, 'size', 'a'),
    () => raw(m, 'clear', true),
  ]) {
    await assert.rejects(call(), badArgs);
  }
  assert.deepEqual(await m.entries(), [['a', 1]]);
});

test('SharedList refuses indexes that are not integers and wrong counts, and keeps its items', async () => {
  const l = new SharedList<string>({ key: 'bad/list', client });
  await l.push('a', 'b');
  for (const call of [
    () => raw(l, 'get', '0'),
    () => l.get(0.5),
    () => l.set(Number.NaN, 'x'),
    () => raw(l, 'set', null, 'x'),
    () => raw(l, 'removeAt', '1'),
    () => raw(l, 'slice', 'a'),
    () => raw(l, 'slice', 0, 1.5),
    () => raw(l, 'get'),
    () => raw(l, 'set', 0),
    () => raw(l, 'removeAt'),
    () => raw(l, 'slice', 0, 1, 2),
    () => raw(l, 'clear', 'all'),
  ]) {
    await assert.rejects(call(), badArgs);
  }
  assert.deepEqual(await l.slice(), ['a', 'b']);
});

test('AtomicMatrix refuses non-integer indexes, non-numbers and wrong counts, and keeps its values', async () => {
  const m = new AtomicMatrix({ key: 'bad/matrix', client }, 2, 2);
  await m.set(0, 0, 1);
  for (const call of [
    () => raw(m, 'get', '0', 0),
    () => m.get(0, 0.5),
    () => raw(m, 'set', 0, 0, '2'),
    () => raw(m, 'set', 0, 0, null),
    () => raw(m, 'row', null),
    () => raw(m, 'add', 'matrix'),
    () => raw(m, 'add', { 0: [1, 2], 1: [3, 4] }),
    () => raw(m, 'add', new Int32Array(4)),
    () => raw(m, 'addRow', 0, 'row'),
    () => raw(m, 'get', 0),
    () => raw(m, 'set', 0, 0),
    () => raw(m, 'addRow', 0),
    () => raw(m, 'toArray', 0),
  ]) {
    await assert.rejects(call(), badArgs);
  }
  assert.equal(await m.get(0, 0), 1);
  assert.deepEqual(await m.toArray(), [new Float64Array([1, 0]), new Float64Array([0, 0])]);
});

test('the synchronizers refuse bad permits, tokens, messages and counts, and keep their state', async () => {
  const s = new Semaphore({ key: 'bad/semaphore', client }, 2);
  for (const call of [
    () => s.tryAcquire(0),
    () => s.tryAcquire(-1),
    () => s.tryAcquire(1.5),
    () => s.tryAcquire('1' as unknown as number),
    () => s.release(0),
    () => s.release(Number.NaN),
    () => raw(s, 'tryAcquire', 1, 1),
    () => raw(s, 'availablePermits', 1),
  ]) {
    await assert.rejects(call(), badArgs);
  }
  assert.equal(await s.availablePermits(), 2);

  const lock = new Lock({ key: 'bad/lock', client });
  const token = await lock.tryLock();
  assert.notEqual(token, null);
  await assert.rejects(lock.unlock('x' as unknown as number), badArgs);
  await assert.rejects(raw(lock, 'tryLock', 1), badArgs);
  await assert.rejects(raw(lock, 'unlock', token, token), badArgs);
  assert.equal(await lock.isLocked(), true);
  await lock.unlock(token!);

  const latch = new CountDownLatch({ key: 'bad/latch', client }, 2);
  await assert.rejects(raw(latch, 'countDown', 2), badArgs);
  await assert.rejects(raw(latch, 'getCount', 'now'), badArgs);
  assert.equal(await latch.getCount(), 2);

  const barrier = new CyclicBarrier({ key: 'bad/barrier', client }, 2);
  await assert.rejects(raw(barrier, 'parties', 1), badArgs);
  await assert.rejects(raw(barrier, 'waiting', 1), badArgs);
  await assert.rejects(raw(barrier, 'await', 1), badArgs);
  assert.equal(await barrier.waiting(), 0);

  const future = new SharedFuture<number>({ key: 'bad/future', client });
  await assert.rejects(future.fail(42 as unknown as string), badArgs);
  await assert.rejects(raw(future, 'set'), badArgs);
  await assert.rejects(raw(future, 'set', 1, 2), badArgs);
  await assert.rejects(raw(future, 'isDone', true), badArgs);
  assert.equal(await future.isDone(), false);
});
