import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, ProtocolError, sharedClass } from '../src/index.ts';
import { FrameProxy, testNode } from './support/node.ts';

/** A user object whose reads hand out its own mutable array, not a copy. */
const Log = sharedClass(
  'ReplyCaptureLog',
  class {
    items: number[] = [];
    all(): number[] {
      return this.items;
    }
    add(x: number): number {
      this.items.push(x);
      return this.items.length;
    }
    label(): unknown {
      return Symbol('not msgpack');
    }
  },
);

test('a reply carries the value as it was when its call completed, even when a later call in the same batch mutates it', async () => {
  const t = await testNode({ objects: [Log] });
  const proxy = await FrameProxy.start(t.url);
  const client = await connect({ url: proxy.url });
  try {
    const log = new Log({ key: 'log', client });
    await log.add(1);
    const before = proxy.frames.toNode.length;
    const [first, added, second] = await Promise.all([log.all(), log.add(2), log.all()]);
    assert.equal(proxy.frames.toNode.length, before + 1, 'the three calls went in one frame');
    assert.deepEqual(first, [1], 'the read that ran before add(2) answers what it saw');
    assert.equal(added, 2);
    assert.deepEqual(second, [1, 2]);
  } finally {
    await client.close();
    await proxy.close();
    await t.close();
  }
});

test('a reply that cannot be encoded fails its own call; the rest of its batch is answered', async () => {
  const t = await testNode({ objects: [Log] });
  try {
    const log = new Log({ key: 'log', client: await t.client() });
    const [a, label, b] = await Promise.allSettled([log.add(1), log.label(), log.all()]);
    assert.deepEqual(a, { status: 'fulfilled', value: 1 });
    assert.deepEqual(b, { status: 'fulfilled', value: [1] });
    assert.equal(label.status, 'rejected');
    const err = (label as PromiseRejectedResult).reason;
    assert.ok(err instanceof ProtocolError);
    assert.match(err.message, /the reply could not be encoded/);
  } finally {
    await t.close();
  }
});
