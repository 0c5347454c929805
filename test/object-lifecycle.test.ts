import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, CyclicBarrier, SharedList, SharedMap, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

const badArgs = { name: 'InvalidCallError', code: 'EBAD_ARGS' };

test('creating a handle sends nothing; the object is created with the init args at the first call', async () => {
  const n = new AtomicLong({ key: 'life/lazy', client }, 5);
  assert.deepEqual(await client.keys('life/lazy'), []);
  assert.equal(await n.get(), 5);
  assert.deepEqual(await client.keys('life/lazy'), ['life/lazy']);
});

test('init args are ignored when the object already exists', async () => {
  const other = await t.client();
  await new AtomicLong({ key: 'life/exists', client }, 5).addAndGet(1);
  assert.equal(await new AtomicLong({ key: 'life/exists', client }, 99).get(), 6);
  assert.equal(await new AtomicLong({ key: 'life/exists', client: other }, -1).get(), 6);
  assert.equal(await new AtomicLong({ key: 'life/exists', client }).get(), 6);
});

test('forceNew replaces an existing object at its first call, and only then', async () => {
  const old = new AtomicLong({ key: 'life/force', client }, 5);
  assert.equal(await old.addAndGet(10), 15);
  const fresh = new AtomicLong({ key: 'life/force', client, forceNew: true }, 1);
  assert.equal(await fresh.incrementAndGet(), 2);
  assert.equal(await fresh.incrementAndGet(), 3, 'the second call does not replace it again');
  assert.equal(await old.get(), 3, 'every handle sees the new object');

  const list = new SharedList<number>({ key: 'life/force-list', client });
  await list.push(1, 2, 3);
  assert.equal(await new SharedList<number>({ key: 'life/force-list', client, forceNew: true }).size(), 0);
  assert.equal(await new AtomicLong({ key: 'life/force-absent', client, forceNew: true }, 7).get(), 7, 'forceNew also creates');
});

test('forceNew with bad init args is refused and keeps the existing object', async () => {
  const barrier = new CyclicBarrier({ key: 'life/force-bad', client }, 3);
  assert.equal(await barrier.parties(), 3);
  await assert.rejects(new CyclicBarrier({ key: 'life/force-bad', client, forceNew: true }, 0).parties(), badArgs);
  assert.equal(await barrier.parties(), 3);
});

test('a first call whose init args are refused creates nothing', async () => {
  await assert.rejects(new AtomicLong({ key: 'life/never', client }, 1.5).get(), badArgs);
  assert.deepEqual(await client.keys('life/never'), []);
});

test('destroy removes the object and says whether it existed; a later call re-creates it', async () => {
  const n = new AtomicLong({ key: 'life/destroy', client }, 5);
  assert.equal(await n.addAndGet(10), 15);
  assert.equal(await n.destroy(), true);
  assert.deepEqual(await client.keys('life/destroy'), []);
  assert.equal(await n.destroy(), false);
  assert.equal(await new SharedMap({ key: 'life/never-created', client }).destroy(), false);
  assert.equal(await n.get(), 5, 're-created with the handle init args');
  assert.deepEqual(await client.keys('life/destroy'), ['life/destroy']);
});

test('client.keys lists the keys with a prefix, sorted', async () => {
  const other = await t.client();
  for (const k of ['keys/b', 'keys/a/2', 'keys/a/1', 'keysx']) await new AtomicLong({ key: k, client }).get();
  await new SharedMap({ key: 'keys/c', client: other }).size();
  assert.deepEqual(await client.keys('keys/'), ['keys/a/1', 'keys/a/2', 'keys/b', 'keys/c']);
  assert.deepEqual(await client.keys('keys/a/'), ['keys/a/1', 'keys/a/2']);
  assert.deepEqual(await client.keys('keys/none'), []);
  const all = await client.keys();
  assert.ok(['keys/a/1', 'keys/b', 'keys/c', 'keysx'].every((k) => all.includes(k)));
  assert.deepEqual(all, [...all].sort());
});

test('a key holding another type answers ETYPE_MISMATCH and the object is untouched', async () => {
  const n = new AtomicLong({ key: 'life/typed', client }, 4);
  assert.equal(await n.get(), 4);
  const mismatch = { name: 'InvalidCallError', code: 'ETYPE_MISMATCH' };
  await assert.rejects(new SharedMap({ key: 'life/typed', client }).set('a', 1), mismatch);
  await assert.rejects(new SharedList({ key: 'life/typed', client }).push(1), mismatch);
  assert.equal(await n.get(), 4);
  assert.equal(await n.destroy(), true);
  const m = new SharedMap({ key: 'life/typed', client });
  await m.set('a', 1);
  assert.equal(await m.size(), 1, 'once destroyed, the key can hold another type');
});
