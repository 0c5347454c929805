import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, threadId } from '../src/index.ts';
import { mailboxes } from '../src/client/mailbox.ts';
import { FrameProxy, testNode } from './support/node.ts';

test('across a lost connection, with a put applied whose reply was lost, every message arrives once and in order', async () => {
  const t = await testNode();
  const proxy = await FrameProxy.start(t.url);
  const sender = await connect({ url: proxy.url });
  try {
    const receiver = await t.client();
    const from = threadId();
    const to = `${from.split('-').slice(0, 2).join('-')}-424242`;
    const out = mailboxes(sender);
    // Sent all at once: the client still lets one put of the pair out at a time.
    const sends = Array.from({ length: 50 }, (_, i) => out.send(from, to, i));
    // One put reaches the node and is applied; its reply is lost with the connection.
    proxy.dropReplies(true);
    await proxy.waitForFrames('toClient', proxy.frames.toClient.length + 1);
    proxy.cut();
    proxy.dropReplies(false);
    for (let i = 50; i < 100; i++) sends.push(out.send(from, to, i));
    await Promise.all(sends);

    const inbox = mailboxes(receiver);
    const got = [];
    for (let i = 0; i < 100; i++) got.push(await inbox.recv(to, from, 10_000));
    assert.deepEqual(got.map((m) => m.value), Array.from({ length: 100 }, (_, i) => i));
    assert.ok(got.every((m) => m.from === from));
    await assert.rejects(inbox.recv(to, undefined, 0), { code: 'ETIMEOUT' }, 'no message was delivered twice');
  } finally {
    await sender.close();
    await proxy.close();
    await t.close();
  }
});
