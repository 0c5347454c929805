import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, connect, GSet, InvalidCallError, LwwRegister, OrSet, PnCounter, RemoteError, session } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await testNode()));
after(() => t.close());

test('a cached read is answered in the process: no call reaches the node', async () => {
  const c = await t.client();
  const r = new LwwRegister<string>({ key: 'cache.local', client: c }, 'first');
  assert.equal(await r.get(), 'first');
  const calls = (await c.info()).calls;
  for (let i = 0; i < 100; i++) assert.equal(await r.get(), 'first');
  assert.equal((await c.info()).calls, calls, 'no call answered by the node');
  const stats = c.cacheStats();
  assert.equal(stats.misses, 1);
  assert.equal(stats.hits, 100);
});

test('a write is merged in the cache at once and reaches the node only when flushed', async () => {
  const writer = await connect({ url: t.url, cacheFlushMs: 600_000 });
  try {
    const r = new LwwRegister<string>({ key: 'cache.write-behind', client: writer }, 'old');
    await r.get();
    await r.set('new');
    assert.equal(await r.get(), 'new', 'the writer sees its write at once');
    const before = await writer.describe('cache.write-behind');
    assert.deepEqual((before!.state as { value: { value: unknown } }).value.value, 'old', 'not at the node yet');
    await writer.flushWrites();
    const flushed = await writer.describe('cache.write-behind');
    assert.deepEqual((flushed!.state as { value: { value: unknown } }).value.value, 'new');
  } finally {
    await writer.close();
  }
});

test('the node pushes a newer state to the caches that hold the key', async () => {
  const a = await t.client();
  const b = await t.client();
  const ra = new PnCounter({ key: 'cache.push', client: a });
  const rb = new PnCounter({ key: 'cache.push', client: b });
  assert.equal(await rb.value(), 0);
  const held = b.lattices.versionOf('cache.push');
  const misses = b.cacheStats().misses;
  await ra.add(5);
  await a.flushWrites();
  await b.lattices.changed('cache.push', held);
  assert.equal(await rb.value(), 5);
  assert.equal(b.cacheStats().misses, misses, 'answered from the pushed copy');
  assert.ok(b.cacheStats().pushes >= 1);
});

test('writers in several clients converge, and close() sends what is left', async () => {
  const clients = await Promise.all([1, 2, 3].map(() => connect({ url: t.url, cacheFlushMs: 600_000 })));
  const counters = clients.map((client) => new PnCounter({ key: 'cache.converge', client }));
  const sets = clients.map((client) => new GSet<number>({ key: 'cache.converge-set', client }));
  await Promise.all(counters.map(async (c, i) => {
    for (let k = 0; k < 50; k++) await c.add(i + 1);
  }));
  await Promise.all(sets.map((s, i) => s.add(i, 10 + i)));
  await Promise.all(clients.map((c) => c.close()));
  const reader = await t.client();
  assert.equal(await new PnCounter({ key: 'cache.converge', client: reader }).value(), 50 * (1 + 2 + 3));
  assert.deepEqual(await new GSet<number>({ key: 'cache.converge-set', client: reader }).values(), [0, 1, 10, 11, 12, 2]);
});

test('the cache stays within cacheBytes, dropping the least recently used keys', async () => {
  const c = await connect({ url: t.url, cacheBytes: 4096 });
  try {
    for (let i = 0; i < 100; i++) await new LwwRegister({ key: `cache.bound.${i}`, client: c }, 'x'.repeat(100)).get();
    const stats = c.cacheStats();
    assert.ok(stats.bytes <= 4096, `${stats.bytes} bytes held`);
    assert.ok(stats.evictions > 0);
    assert.ok(stats.keys < 100);
    // The most recent key is still held; the first was dropped and is read from the node again.
    const misses = stats.misses;
    await new LwwRegister({ key: 'cache.bound.99', client: c }).get();
    assert.equal(c.cacheStats().misses, misses);
    assert.equal(await new LwwRegister({ key: 'cache.bound.0', client: c }).get(), 'x'.repeat(100));
    assert.equal(c.cacheStats().misses, misses + 1);
  } finally {
    await c.close();
  }
});

test('a lattice handle on a key that holds another type fails with a typed error, and nothing changes', async () => {
  const c = await t.client();
  const n = new AtomicLong({ key: 'cache.wrong-type', client: c }, 7);
  await n.get();
  await assert.rejects(new LwwRegister({ key: 'cache.wrong-type', client: c }).get(), (err: Error) => err instanceof InvalidCallError || err instanceof RemoteError);
  await assert.rejects(new PnCounter({ key: 'cache.wrong-type', client: c }).add(1));
  assert.equal(await n.get(), 7);
});

test('a malformed delta or merge context is refused with EBAD_ARGS and changes nothing', async () => {
  const c = await t.client();
  const r = new PnCounter({ key: 'cache.bad-merge', client: c });
  await r.add(3);
  await c.flushWrites();
  const target = { type: 'PnCounter', key: 'cache.bad-merge', init: [], forceNew: false, initSent: true };
  const bad: unknown[][] = [
    [[]],
    ['not an array'],
    [[[['w', 1.5, 0]]]],
    [[[['w', -1, 0]]]],
    [[[['w', 1, 0]]], ['session', 'not deps']],
    [[[['w', 1, 0]]], [null, [['k', -2]]]],
  ];
  for (const args of bad) {
    await assert.rejects(c.call(target, 'merge', args), (err: Error) => err instanceof InvalidCallError && err.code === 'EBAD_ARGS', JSON.stringify(args));
  }
  const fresh = await t.client();
  assert.equal(await new PnCounter({ key: 'cache.bad-merge', client: fresh }).value(), 3);
});

test('a value that cannot travel is refused at the write, not lost in the background', async () => {
  const c = await t.client();
  const r = new LwwRegister<unknown>({ key: 'cache.unsendable', client: c });
  await assert.rejects(r.set(() => 1), /function/);
  await assert.rejects(new PnCounter({ key: 'cache.unsendable-n', client: c }).add(1.5), /integer/);
  await c.flushWrites();
});

test('a causal reader of a state whose deps were cut reads each key once from its node, then from its cache again', async () => {
  const w = await t.client();
  const r = await t.client();
  const writer = session({ consistency: 'causal' });
  for (let i = 0; i < 300; i++) await new LwwRegister<number>({ key: `cache.lost.k${i}`, client: w, session: writer }).set(i);
  await new LwwRegister<number>({ key: 'cache.lost.x', client: w, session: writer }).set(1);
  await w.flushWrites();
  const described = await w.describe('cache.lost.x');
  assert.equal((described!.state as { depsLost?: boolean }).depsLost, true, 'more deps than a node keeps');
  const y = new LwwRegister<number>({ key: 'cache.lost.y', client: r }, 0);
  await y.get();
  const reader = session({ consistency: 'causal' });
  const yr = new LwwRegister<number>({ key: 'cache.lost.y', client: r, session: reader });
  await yr.get();
  assert.equal(await new LwwRegister<number>({ key: 'cache.lost.x', client: r, session: reader }).get(), 1);
  const misses = r.cacheStats().misses;
  await yr.get();
  assert.equal(r.cacheStats().misses, misses + 1, 'y is read from its node once');
  for (let i = 0; i < 10; i++) await yr.get();
  assert.equal(r.cacheStats().misses, misses + 1, 'then from the cache');
});

test("a key's writes reach its node in the order made, across levels: a remove after a causal session's add wins", async () => {
  const c = await connect({ url: t.url, cacheFlushMs: 600_000 });
  try {
    const causal = session({ consistency: 'causal' });
    const inSession = new OrSet<string>({ key: 'cache.order', client: c, session: causal });
    const plain = new OrSet<string>({ key: 'cache.order', client: c });
    await inSession.add('x');
    await plain.remove('x');
    assert.deepEqual(await plain.values(), []);
    await c.flushWrites();
    const fresh = await t.client();
    assert.deepEqual(await new OrSet<string>({ key: 'cache.order', client: fresh }).values(), []);
  } finally {
    await c.close();
  }
});
