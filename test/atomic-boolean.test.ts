import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicBoolean, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

test('an AtomicBoolean starts false by default, or at its initial value', async () => {
  assert.equal(await new AtomicBoolean({ key: 'bool/default', client }).get(), false);
  assert.equal(await new AtomicBoolean({ key: 'bool/initial', client }, true).get(), true);
});

test('set and getAndSet replace the value; getAndSet resolves to the previous one', async () => {
  const b = new AtomicBoolean({ key: 'bool/set', client });
  await b.set(true);
  assert.equal(await b.get(), true);
  assert.equal(await b.getAndSet(false), true);
  assert.equal(await b.get(), false);
  assert.equal(await b.getAndSet(false), false);
});

test('compareAndSet sets only when the value is the expected one', async () => {
  const b = new AtomicBoolean({ key: 'bool/cas', client });
  assert.equal(await b.compareAndSet(true, false), false);
  assert.equal(await b.get(), false);
  assert.equal(await b.compareAndSet(false, true), true);
  assert.equal(await b.get(), true);
});

test('of many racing compareAndSet(false, true) calls exactly one wins', async () => {
  const other = await t.client();
  const a = new AtomicBoolean({ key: 'bool/race', client });
  const b = new AtomicBoolean({ key: 'bool/race', client: other });
  const wins = await Promise.all([...Array(20)].flatMap(() => [a.compareAndSet(false, true), b.compareAndSet(false, true)]));
  assert.equal(wins.filter(Boolean).length, 1);
});
