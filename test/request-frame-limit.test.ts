import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AtomicLong, AtomicReference, connect, ProtocolError, SharedList } from '../src/index.ts';
import { FrameProxy, testNode } from './support/node.ts';

const LIMIT = 4096;

test('a request over the node frame limit is rejected locally with EFRAME_TOO_LARGE; the rest of its batch goes through', async () => {
  const t = await testNode({ maxFrameBytes: LIMIT });
  const proxy = await FrameProxy.start(t.url);
  const client = await connect({ url: proxy.url });
  try {
    const counter = new AtomicLong({ key: 'counter', client });
    const ref = new AtomicReference<string>({ key: 'ref', client });
    const session = await client.session();
    const sent = proxy.frames.toNode.length;
    const [before, big, after] = await Promise.allSettled([
      counter.incrementAndGet(),
      ref.set('x'.repeat(LIMIT)),
      counter.incrementAndGet(),
    ]);
    assert.deepEqual(before, { status: 'fulfilled', value: 1 });
    assert.deepEqual(after, { status: 'fulfilled', value: 2 });
    assert.equal(big.status, 'rejected');
    const err = (big as PromiseRejectedResult).reason as unknown;
    assert.ok(err instanceof ProtocolError);
    assert.equal(err.code, 'EFRAME_TOO_LARGE');
    assert.match(err.message, new RegExp(`over the node's ${LIMIT}-byte frame limit`));
    // Nothing oversize went out: one frame of two calls, and the connection is the same session.
    assert.equal(proxy.frames.toNode.length, sent + 1);
    assert.equal((proxy.frames.toNode[sent] as unknown[]).length, 2);
    assert.equal(await client.session(), session);
    assert.equal(await ref.get(), null);
  } finally {
    await client.close();
    await proxy.close();
    await t.close();
  }
});

test('a batch larger than the frame limit, of requests that each fit, is split over several frames', async () => {
  const t = await testNode({ maxFrameBytes: LIMIT });
  const proxy = await FrameProxy.start(t.url);
  const client = await connect({ url: proxy.url });
  try {
    const list = new SharedList<string>({ key: 'list', client });
    const sent = proxy.frames.toNode.length;
    const item = 'y'.repeat(1000);
    const sizes = await Promise.all(Array.from({ length: 10 }, () => list.push(item)));
    assert.deepEqual(sizes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const frames = proxy.frames.toNode.slice(sent) as unknown[][];
    assert.ok(frames.length > 1, 'split into several frames');
    assert.equal(frames.reduce((n, f) => n + f.length, 0), 10);
  } finally {
    await client.close();
    await proxy.close();
    await t.close();
  }
});

test('a reply over the frame limit fails that call alone with EFRAME_TOO_LARGE', async () => {
  const t = await testNode({ maxFrameBytes: LIMIT });
  const client = await t.client();
  try {
    const list = new SharedList<string>({ key: 'list', client });
    for (let i = 0; i < 6; i++) await list.push('z'.repeat(1000));
    const [whole, size] = await Promise.allSettled([list.slice(), list.size()]);
    assert.equal(whole.status, 'rejected');
    assert.equal(((whole as PromiseRejectedResult).reason as ProtocolError).code, 'EFRAME_TOO_LARGE');
    assert.deepEqual(size, { status: 'fulfilled', value: 6 });
    assert.equal((await list.slice(0, 2)).length, 2);
  } finally {
    await t.close();
  }
});
