import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  configureRuntime,
  recv,
  SerializationError,
  send,
  SharedFuture,
  shutdownRuntime,
  ThreadEndedError,
  threadId,
  TimeoutError,
} from '../src/index.ts';
import { MAILBOX_CAPACITY, mailboxKey } from '../src/client/mailbox.ts';
import { defaultClient } from '../src/client/default-client.ts';
import { flood, idleUntil, ping, pong, quiet, receiveMany, reportId, sendMany } from './fixtures/messaging-tasks.ts';
import { pollUntil } from './support/poll.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

/** Messages waiting in `id`'s mailbox and calls parked on it, as the node answers. */
async function mailbox(id: string): Promise<{ size: number; parked: number }> {
  const client = defaultClient();
  const key = mailboxKey(id);
  const target = { type: 'Mailbox', key, init: [MAILBOX_CAPACITY], forceNew: false, initSent: false };
  const size = (await client.call(target, 'size', [])) as number;
  return { size, parked: (await client.describe(key))?.parkedCalls ?? 0 };
}

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));
    after(() => shutdownRuntime());

    test('threadId() inside a thread is the id its spawner sees, unique, and not the main program id', async () => {
      const handles = [reportId.spawn(threadId()), reportId.spawn(threadId())];
      const results = await Promise.all(handles.map((h) => h.join()));
      assert.deepEqual(results, handles.map((h) => h.id));
      const got = [await recv({ timeoutMs: 10_000 }), await recv({ timeoutMs: 10_000 })];
      assert.deepEqual(new Set(got.map((m) => m.value)), new Set(handles.map((h) => h.id)));
      for (const m of got) assert.equal(m.from, m.value, 'a message names its sender');
      assert.notEqual(handles[0]!.id, handles[1]!.id);
      assert.ok(!handles.some((h) => h.id === threadId()));
    });

    test('ping-pong between two threads: every value comes back, in order', async () => {
      const rounds = 50;
      const ponger = pong.spawn(rounds);
      const back = await ping.run({ to: ponger.id, rounds });
      assert.deepEqual(back, Array.from({ length: rounds }, (_, i) => i));
      assert.equal(await ponger.join(), rounds);
    });

    test('many messages from two senders at once arrive in each sender\'s order', async () => {
      const n = 200;
      const receiver = receiveMany.spawn(2 * n);
      const senders = ['a', 'b'].map((tag) => sendMany.spawn({ to: receiver.id, n, tag }));
      await Promise.all(senders.map((s) => s.join()));
      const got = (await receiver.join()) as Array<[string, [string, number]]>;
      assert.equal(got.length, 2 * n);
      for (const [k, tag] of ['a', 'b'].entries()) {
        const mine = got.filter(([, [t]]) => t === tag);
        assert.deepEqual(mine.map(([, [, i]]) => i), Array.from({ length: n }, (_, i) => i), `sender ${tag} out of order`);
        assert.ok(mine.every(([from]) => from === senders[k]!.id));
      }
    });
  });
}

describe('local backend, one program', () => {
  before(() => configureRuntime({ backend: 'local', workers: 2 }));
  after(() => shutdownRuntime());

  test('a thread whose id nobody read or asked for costs no call on the DSO when it ends; one whose id was read gets its mailbox closed', async () => {
    const calls = (await defaultClient().info()).calls;
    assert.deepEqual(await Promise.all([1, 2, 3, 4].map((n) => quiet.run(n))), [2, 3, 4, 5]);
    assert.equal((await defaultClient().info()).calls, calls, 'no mailbox call');
    const seen = quiet.spawn(1);
    const id = seen.id;
    await seen.join();
    await assert.rejects(send(id, 'late'), (err: Error) => err instanceof ThreadEndedError);
    // An id first read after the end closes the mailbox then.
    const late = quiet.spawn(2);
    await late.join();
    await assert.rejects(send(late.id, 'late'), (err: Error) => err instanceof ThreadEndedError);
  });

  test('a full mailbox makes send wait until the receiver takes a message', async () => {
    const filled = 'msg-filled';
    await new SharedFuture(filled).destroy();
    const me = threadId();
    const sender = flood.spawn({ to: me, n: MAILBOX_CAPACITY + 1, filled });
    await new SharedFuture<boolean>(filled).get();
    // The last send is parked on the node behind a full mailbox: nothing was taken yet.
    assert.deepEqual(await pollUntil(() => mailbox(me), (m) => m.parked === 1), { size: MAILBOX_CAPACITY, parked: 1 });
    assert.deepEqual(await recv(), { from: sender.id, value: 0 });
    // Taking one made room: the parked send completes and the thread ends.
    assert.equal(await sender.join(), MAILBOX_CAPACITY + 1);
    assert.deepEqual(await mailbox(me), { size: MAILBOX_CAPACITY, parked: 0 });
    for (let i = 1; i <= MAILBOX_CAPACITY; i++) assert.equal((await recv({ from: sender.id })).value, i);
  });

  test('recv({ from }) takes only that sender\'s messages, leaving the others in order', async () => {
    const me = threadId();
    const [a, b] = ['a', 'b'].map((tag) => sendMany.spawn({ to: me, n: 5, tag }));
    await Promise.all([a!.join(), b!.join()]);
    for (let i = 0; i < 5; i++) assert.deepEqual(await recv({ from: b!.id }), { from: b!.id, value: ['b', i] });
    for (let i = 0; i < 5; i++) assert.deepEqual(await recv(), { from: a!.id, value: ['a', i] });
  });

  test('recv rejects with TimeoutError when no message comes; send when the mailbox stays full', async () => {
    const me = threadId();
    assert.deepEqual(await mailbox(me), { size: 0, parked: 0 });
    await assert.rejects(recv({ timeoutMs: 20 }), (err) => err instanceof TimeoutError);
    assert.deepEqual(await mailbox(me), { size: 0, parked: 0 }, 'the timed-out recv was withdrawn');
    const other = reportId.spawn(me);
    assert.deepEqual(await recv({ timeoutMs: 60_000 }), { from: other.id, value: other.id });
    await other.join();

    const release = 'msg-release-timeout';
    await new SharedFuture(release).destroy();
    const idle = idleUntil.spawn(release);
    for (let i = 0; i < MAILBOX_CAPACITY; i++) await send(idle.id, i);
    await assert.rejects(send(idle.id, 'one too many', { timeoutMs: 20 }), (err) => err instanceof TimeoutError);
    assert.deepEqual(await mailbox(idle.id), { size: MAILBOX_CAPACITY, parked: 0 });
    await new SharedFuture(release).set(true);
    assert.equal(await idle.join(), 'ended');
  });

  test('a message to a thread that has ended is refused with ThreadEndedError, also one waiting for room', async () => {
    const release = 'msg-release-ended';
    await new SharedFuture(release).destroy();
    const idle = idleUntil.spawn(release);
    for (let i = 0; i < MAILBOX_CAPACITY; i++) await send(idle.id, i);
    const waiting = send(idle.id, 'waits for room');
    await pollUntil(() => mailbox(idle.id), (m) => m.parked === 1);
    await new SharedFuture(release).set(true);
    await idle.join();
    await assert.rejects(waiting, (err) => err instanceof ThreadEndedError && err.threadId === idle.id && err.code === 'ETHREAD_ENDED');
    await assert.rejects(send(idle.id, 'late'), (err) => err instanceof ThreadEndedError && /has ended; the message was not delivered/.test(err.message));
    assert.deepEqual(await mailbox(idle.id), { size: 0, parked: 0 }, 'what was left was dropped');
  });

  test('bad input is refused at the call with a typed error', () => {
    assert.throws(() => send('nobody', 1), (err) => err instanceof TypeError && /send needs a thread id/.test(err.message));
    assert.throws(() => send(42 as unknown as string, 1), TypeError);
    assert.throws(() => send(threadId(), () => 1), (err) => err instanceof SerializationError && err.path === 'value');
    assert.throws(() => send(threadId(), 1, { timeoutMs: -1 }), /timeoutMs must be a number >= 0, got -1/);
    assert.throws(() => recv({ timeoutMs: Number.NaN }), /recv's timeoutMs must be a number >= 0/);
    assert.throws(() => recv({ from: 'x' }), (err) => err instanceof TypeError && /recv's from needs a thread id, got "x"/.test(err.message));
  });
});
