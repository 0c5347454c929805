import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

const long = (key: string, initial?: number): AtomicLong => new AtomicLong({ key, client }, initial);

test('an AtomicLong starts at 0 by default, or at its initial value', async () => {
  assert.equal(await long('long/default').get(), 0);
  assert.equal(await long('long/initial', -7).get(), -7);
});

test('set and getAndSet replace the value; getAndSet resolves to the previous one', async () => {
  const n = long('long/set', 1);
  await n.set(10);
  assert.equal(await n.get(), 10);
  assert.equal(await n.getAndSet(20), 10);
  assert.equal(await n.get(), 20);
});

test('increment, decrement and add resolve to the new or the previous value as named', async () => {
  const n = long('long/arith', 5);
  assert.equal(await n.incrementAndGet(), 6);
  assert.equal(await n.decrementAndGet(), 5);
  assert.equal(await n.addAndGet(10), 15);
  assert.equal(await n.addAndGet(-20), -5);
  assert.equal(await n.getAndIncrement(), -5);
  assert.equal(await n.get(), -4);
  assert.equal(await n.getAndAdd(100), -4);
  assert.equal(await n.get(), 96);
});

test('compareAndSet sets only when the value is the expected one', async () => {
  const n = long('long/cas', 3);
  assert.equal(await n.compareAndSet(4, 9), false);
  assert.equal(await n.get(), 3);
  assert.equal(await n.compareAndSet(3, 9), true);
  assert.equal(await n.get(), 9);
});

test('an update that would leave the safe integer range is refused and changes nothing', async () => {
  const overflow = { name: 'RemoteError', code: 'EREMOTE', remoteName: 'RangeError' };
  const top = long('long/top', Number.MAX_SAFE_INTEGER);
  await assert.rejects(top.incrementAndGet(), overflow);
  await assert.rejects(top.getAndIncrement(), overflow);
  await assert.rejects(top.addAndGet(1), overflow);
  await assert.rejects(top.getAndAdd(2 ** 52), overflow);
  assert.equal(await top.get(), Number.MAX_SAFE_INTEGER);
  assert.equal(await top.decrementAndGet(), Number.MAX_SAFE_INTEGER - 1);

  const bottom = long('long/bottom', Number.MIN_SAFE_INTEGER);
  await assert.rejects(bottom.decrementAndGet(), overflow);
  await assert.rejects(bottom.addAndGet(-1), overflow);
  assert.equal(await bottom.get(), Number.MIN_SAFE_INTEGER);

  // Values beyond 2^53 cannot be stored at all.
  await assert.rejects(top.set(2 ** 53), { name: 'InvalidCallError', code: 'EBAD_ARGS' });
  await assert.rejects(top.getAndSet(-(2 ** 53)), { name: 'InvalidCallError', code: 'EBAD_ARGS' });
  await assert.rejects(top.compareAndSet(Number.MAX_SAFE_INTEGER - 1, 2 ** 60), { name: 'InvalidCallError', code: 'EBAD_ARGS' });
  assert.equal(await top.get(), Number.MAX_SAFE_INTEGER - 1);
});
