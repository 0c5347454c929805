import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Exchanger } from './fixtures/shared-classes.ts';
import { testNode } from './support/node.ts';
import { settledBy } from './support/settled.ts';

test('a waiting receiver gets the value of a send that changes the object and then parks (notifyAll)', { timeout: 10_000 }, async ({ signal }) => {
  const t = await testNode({ objects: [Exchanger] }, signal);
  try {
    const [rc, sc] = [await t.client(), await t.client()];
    const receiver = new Exchanger({ key: 'x', client: rc });
    const sender = new Exchanger({ key: 'x', client: sc });

    const received = receiver.receive();
    assert.equal(await settledBy(received, rc), false, 'receive parks on an empty exchanger');
    const sent = sender.send('hello');
    assert.equal(await received, 'hello');
    assert.equal(await sent, true);

    // The other way round: the sender waits until its value is taken.
    const second = sender.send('world');
    assert.equal(await settledBy(second, sc), false, 'send parks until a receiver takes the value');
    assert.equal(await receiver.receive(), 'world');
    assert.equal(await second, true);
  } finally {
    await t.close();
  }
});

test('many senders and receivers on several clients pair up, every value delivered exactly once', { timeout: 10_000 }, async ({ signal }) => {
  const SENDERS = 4;
  const RECEIVERS = 4;
  const EACH = 15;
  const t = await testNode({ objects: [Exchanger] }, signal);
  try {
    const open = async (): Promise<InstanceType<typeof Exchanger>> => new Exchanger({ key: 'pairs', client: await t.client() });
    const senders = await Promise.all(Array.from({ length: SENDERS }, open));
    const receivers = await Promise.all(Array.from({ length: RECEIVERS }, open));
    const [received] = await Promise.all([
      Promise.all(
        receivers.map(async (ex) => {
          const got: unknown[] = [];
          for (let i = 0; i < (SENDERS * EACH) / RECEIVERS; i++) got.push(await ex.receive());
          return got;
        }),
      ),
      ...senders.map(async (ex, s) => {
        for (let i = 0; i < EACH; i++) assert.equal(await ex.send(`${s}:${i}`), true);
      }),
    ]);
    const all = (received as string[][]).flat().sort();
    const expected = Array.from({ length: SENDERS * EACH }, (_, k) => `${Math.floor(k / EACH)}:${k % EACH}`).sort();
    assert.deepEqual(all, expected);
  } finally {
    await t.close();
  }
});

test('senders and receivers all in flight at once on one connection each still pair up', { timeout: 10_000 }, async ({ signal }) => {
  const N = 20;
  const t = await testNode({ objects: [Exchanger] }, signal);
  try {
    const sender = new Exchanger({ key: 'burst', client: await t.client() });
    const receiver = new Exchanger({ key: 'burst', client: await t.client() });
    const sends = Array.from({ length: N }, (_, i) => sender.send(i));
    const receives = Array.from({ length: N }, () => receiver.receive());
    assert.deepEqual(await Promise.all(sends), new Array(N).fill(true));
    assert.deepEqual(((await Promise.all(receives)) as number[]).sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i));
  } finally {
    await t.close();
  }
});
