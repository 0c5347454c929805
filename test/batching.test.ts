import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { AtomicLong, connect, InvalidCallError, SharedFuture, SharedMap, type SkeinError } from '../src/index.ts';
import type { CallTarget } from '../src/client/client.ts';
import { decode, encode } from '../src/protocol/codec.ts';
import { frame, FrameDecoder } from '../src/protocol/frame.ts';
import { FAILED, OK, Op, PROTOCOL_VERSION } from '../src/protocol/messages.ts';
import { FrameProxy, testNode } from './support/node.ts';

/** Request ids of the replies in `frames`, in the order they arrived. */
function replyIds(frames: unknown[]): number[] {
  return frames.flatMap((f) => (f as unknown[][]).map((r) => r[0] as number));
}

test('calls made in one turn leave in one frame, and their replies come back in one frame', async () => {
  const t = await testNode();
  const proxy = await FrameProxy.start(t.url);
  const client = await connect({ url: proxy.url });
  try {
    const hits = new AtomicLong({ key: 'hits', client });
    const names = new SharedMap<string, number>({ key: 'names', client });
    const [requests, replies] = [proxy.frames.toNode.length, proxy.frames.toClient.length];
    const results = await Promise.all([
      hits.incrementAndGet(),
      hits.incrementAndGet(),
      names.merge('a', 5, 'sum'),
      client.ping(),
      hits.get(),
      client.keys(),
    ]);
    assert.deepEqual(results, [1, 2, 5, undefined, 2, ['hits', 'names']]);
    assert.equal(proxy.frames.toNode.length, requests + 1, 'one request frame for the whole turn');
    assert.equal((proxy.frames.toNode[requests] as unknown[]).length, 6);
    assert.equal(proxy.frames.toClient.length, replies + 1, 'one reply frame for the whole turn');
    assert.equal((proxy.frames.toClient[replies] as unknown[]).length, 6);

    // Calls in separate turns go separately.
    assert.equal(await hits.get(), 2);
    assert.equal(await hits.get(), 2);
    assert.equal(proxy.frames.toNode.length, requests + 3);
  } finally {
    await client.close();
    await proxy.close();
    await t.close();
  }
});

test('a parked call does not hold up the calls behind it, and every reply reaches its own call', async () => {
  const t = await testNode();
  const proxy = await FrameProxy.start(t.url);
  const client = await connect({ url: proxy.url });
  try {
    const result = new SharedFuture<string>({ key: 'result', client });
    const hits = new AtomicLong({ key: 'hits', client });
    const first = proxy.frames.toClient.length;
    const parked = result.get();
    await client.ping(); // answered after the get was run, so the get is parked now
    const [a, b, done, c] = await Promise.all([hits.incrementAndGet(), hits.addAndGet(10), result.isDone(), hits.get()]);
    assert.deepEqual([a, b, done, c], [1, 11, false, 11]);
    assert.equal(await result.set('forty-two'), true);
    assert.equal(await parked, 'forty-two');
    // The get was sent first (right after the handshake) and answered last: out of order.
    const getId = (proxy.frames.toNode[1] as unknown[][])[0]![1];
    const ids = replyIds(proxy.frames.toClient.slice(first));
    assert.equal(ids.length, 7);
    assert.equal(ids.at(-1), getId);
    assert.ok(ids.slice(0, -1).every((id) => id > (getId as number)));
  } finally {
    await client.close();
    await proxy.close();
    await t.close();
  }
});

/**
 * A fake node: welcomes the client, then hands each request frame to `onRequests` and writes the
 * reply frames it returns.
 */
async function fakeNode(onRequests: (requests: unknown[][]) => unknown[][][]): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const decoder = new FrameDecoder();
    let welcomed = false;
    socket.on('data', (chunk: Buffer) =>
      decoder.push(chunk, (payload) => {
        if (!welcomed) {
          welcomed = true;
          socket.write(frame(encode([[0, OK, { session: 'fake', version: PROTOCOL_VERSION, maxFrameBytes: 1 << 20 }]])));
          return;
        }
        for (const replies of onRequests(decode(payload) as unknown[][])) socket.write(frame(encode(replies)));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `skein://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function target(key: string): CallTarget {
  return { type: 'AtomicLong', key, init: [], forceNew: false, initSent: true };
}

test('replies in any order, split over frames, are matched to their calls by id', async () => {
  const frames: unknown[][][] = [];
  const node = await fakeNode((requests) => {
    frames.push(requests);
    // Answer in reverse order, one frame per reply, with a stray id and a notice mixed in.
    const replies = requests.map((req) => {
      const [, id, , key, method] = req as [number, number, string, string, string];
      return key === 'bad'
        ? [id, FAILED, ['EBAD_ARGS', 'InvalidCallError', `no good: ${method}`]]
        : [id, OK, `${key}.${method}`];
    });
    return [[[987654, OK, 'stray'], [0, FAILED, ['EPROTO', 'ProtocolError', 'a notice']]], ...replies.reverse().map((r) => [r])];
  });
  const notices: SkeinError[] = [];
  const client = await connect({ url: node.url, onNotice: (err) => notices.push(err) });
  try {
    const calls = [
      client.call(target('a'), 'get', []),
      client.call(target('b'), 'incrementAndGet', []),
      client.call(target('bad'), 'addAndGet', ['x']),
      client.call(target('c'), 'get', []),
    ];
    const settled = await Promise.allSettled(calls);
    assert.equal(frames.length, 1, 'the four calls left in one frame');
    assert.equal(frames[0]!.length, 4);
    assert.deepEqual(settled.slice(0, 2), [
      { status: 'fulfilled', value: 'a.get' },
      { status: 'fulfilled', value: 'b.incrementAndGet' },
    ]);
    assert.deepEqual(settled[3], { status: 'fulfilled', value: 'c.get' });
    const failed = settled[2] as PromiseRejectedResult;
    assert.ok(failed.reason instanceof InvalidCallError);
    assert.equal(failed.reason.code, 'EBAD_ARGS');
    assert.equal(failed.reason.message, 'no good: addAndGet');
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.code, 'EPROTO');
    assert.deepEqual(
      frames[0]!.map((r) => r[0]),
      [Op.Call, Op.Call, Op.Call, Op.Call],
    );
  } finally {
    await client.close();
    await node.close();
  }
});
