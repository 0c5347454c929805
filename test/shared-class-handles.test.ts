import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, SharedObject, type Client } from '../src/index.ts';
import { BoundedBuffer, Directory, Ledger, Pair } from './fixtures/shared-classes.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let writer: Client;
let reader: Client;
before(async () => {
  t = await testNode({ objects: [Directory, Pair, BoundedBuffer, Ledger] });
  writer = await t.client();
  reader = await t.client();
});
after(() => t.close());

function assertHandle<C extends abstract new (...args: never[]) => SharedObject>(
  value: unknown,
  cls: C,
  key: string,
  client: Client,
): asserts value is InstanceType<C> {
  assert.ok(value instanceof cls, `expected a ${cls.name}, got ${String((value as object | null)?.constructor?.name)}`);
  assert.equal(value.key, key);
  assert.equal(value.client, client, 'bound to the client it was read through');
}

test('handles kept as fields of a user object come back as live handles, built-in and user-defined alike', async () => {
  const counter = new AtomicLong({ key: 'h/counter', client: writer }, 5);
  const buffer = new BoundedBuffer({ key: 'h/buffer', client: writer }, 3);
  await counter.get();
  await buffer.put('first');
  const dir = new Directory({ key: 'h/dir', client: writer });
  assert.equal(await dir.register('counter', counter), 1);
  assert.equal(await dir.register('buffer', buffer), 2);

  const readDir = new Directory({ key: 'h/dir', client: reader });
  assert.equal(await readDir.describe('counter'), 'AtomicLong:h/counter', 'the node holds a reference');
  assert.equal(await readDir.describe('buffer'), 'BoundedBuffer:h/buffer');
  const gotCounter = await readDir.lookup('counter');
  assertHandle(gotCounter, AtomicLong, 'h/counter', reader);
  assert.equal(await gotCounter.incrementAndGet(), 6);
  assert.equal(await counter.get(), 6, 'it names the same object');

  const gotBuffer = await readDir.lookup('buffer');
  assertHandle(gotBuffer, BoundedBuffer, 'h/buffer', reader);
  assert.equal(await gotBuffer.put('second'), 2);
  assert.equal(await buffer.take(), 'first');
  assert.equal(await buffer.take(), 'second');
  assert.equal(await readDir.lookup('missing'), null);
});

test('handles given as constructor and method arguments arrive on the node as references and come back live', async () => {
  const a = new AtomicLong({ key: 'h/a', client: writer }, 1);
  const b = new Ledger({ key: 'h/b', client: writer });
  const c = new BoundedBuffer({ key: 'h/c', client: writer }, 1);
  await Promise.all([a.get(), b.open('x', 1), c.size()]);
  const pair = new Pair({ key: 'h/pair', client: writer }, a, b);
  const [left, right] = await pair.both();
  assertHandle(left, AtomicLong, 'h/a', writer);
  assertHandle(right, Ledger, 'h/b', writer);
  assert.equal(await left.incrementAndGet(), 2);

  const old = await pair.replaceLeft(c);
  assertHandle(old, AtomicLong, 'h/a', writer);
  assert.equal(await old.get(), 2);
  // The pair exists, so these constructor args are ignored.
  const [newLeft, sameRight] = await new Pair({ key: 'h/pair', client: reader }, a, a).both();
  assertHandle(newLeft, BoundedBuffer, 'h/c', reader);
  assertHandle(sameRight, Ledger, 'h/b', reader);
  assert.equal(await newLeft.put('via the pair'), 1);
  assert.equal(await c.take(), 'via the pair');
});

test('a user handle inside a user object inside another: each level comes back live', async () => {
  const ledger = new Ledger({ key: 'h/ledger', client: writer });
  await ledger.open('alice', 7);
  const inner = new Directory({ key: 'h/inner', client: writer });
  await inner.register('ledger', ledger);
  const outer = new Directory({ key: 'h/outer', client: writer });
  await outer.register('inner', inner);

  const gotInner = await new Directory({ key: 'h/outer', client: reader }).lookup('inner');
  assertHandle(gotInner, Directory, 'h/inner', reader);
  const gotLedger = await gotInner.lookup('ledger');
  assertHandle(gotLedger, Ledger, 'h/ledger', reader);
  await gotLedger.open('bob', 3);
  const state = (await ledger.state()) as { balances: [string, number][] };
  assert.deepEqual(state.balances, [['alice', 7], ['bob', 3]]);
});
