import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { AtomicLong, AuthError, connect, ProtocolError, type Client } from '../src/index.ts';
import { encode } from '../src/protocol/codec.ts';
import { frame, FrameDecoder } from '../src/protocol/frame.ts';
import { FAILED, HELLO_MAGIC, Op, PROTOCOL_VERSION } from '../src/protocol/messages.ts';
import { MAX_HELLO_BYTES } from '../src/server/connection.ts';
import { RawPeer, testNode, type TestNode } from './support/node.ts';

const TOKEN = 'sesame';
let t: TestNode;
let good: Client;
let counter: AtomicLong;
let expected = 0;

/** The well-behaved client on the same node must be unaffected by whatever the test just did. */
async function goodClientStillWorks(): Promise<void> {
  expected += 1;
  assert.equal(await counter.incrementAndGet(), expected);
}

before(async () => {
  t = await testNode({ token: TOKEN });
  good = await t.client();
  counter = new AtomicLong({ key: 'handshake-counter', client: good });
  await goodClientStillWorks();
});

after(async () => {
  await t.close();
});

test('the right token passes the handshake and the welcome carries a session and the frame limit', async () => {
  const peer = await RawPeer.open(t.url);
  try {
    peer.send([HELLO_MAGIC, PROTOCOL_VERSION, TOKEN]);
    const [[id, status, welcome]] = (await peer.next()) as [[number, number, Record<string, unknown>]];
    assert.equal(id, 0);
    assert.equal(status, 0);
    assert.equal(typeof welcome.session, 'string');
    assert.equal(welcome.version, PROTOCOL_VERSION);
    assert.equal(welcome.maxFrameBytes, 16 * 1024 * 1024);
  } finally {
    peer.close();
  }
  await goodClientStillWorks();
});

test('a wrong token makes connect() reject with AuthError (EAUTH)', async () => {
  await assert.rejects(connect({ url: t.url, token: 'open sesame' }), (err: unknown) => {
    assert.ok(err instanceof AuthError);
    assert.equal(err.code, 'EAUTH');
    assert.match(err.message, /wrong token/);
    return true;
  });
  await goodClientStillWorks();
});

test('a missing token makes connect() reject with AuthError (EAUTH)', async () => {
  const saved = process.env.SKEIN_TOKEN;
  delete process.env.SKEIN_TOKEN;
  try {
    await assert.rejects(connect({ url: t.url }), (err: unknown) => {
      assert.ok(err instanceof AuthError);
      assert.equal(err.code, 'EAUTH');
      assert.match(err.message, /requires a token/);
      return true;
    });
  } finally {
    if (saved !== undefined) process.env.SKEIN_TOKEN = saved;
  }
  await goodClientStillWorks();
});

test('a refused handshake executes nothing sent behind it, and the node closes the connection', async () => {
  const peer = await RawPeer.open(t.url);
  try {
    // A hello with a bad token, then (in the same write) a request that must never run.
    peer.sendBytes(
      Buffer.concat([
        frame(encode([HELLO_MAGIC, PROTOCOL_VERSION, 'bad'])),
        frame(encode([[Op.Call, 1, 'AtomicLong', 'handshake-counter', 'set', [1000], [0]]])),
      ]),
    );
    const [[id, status, error]] = (await peer.next()) as [[number, number, string[]]];
    assert.deepEqual([id, status, error[0]], [0, FAILED, 'EAUTH']);
    await peer.closedByPeer();
  } finally {
    peer.close();
  }
  await goodClientStillWorks();
});

test('another protocol version gets an EVERSION notice and the connection closed', async () => {
  const peer = await RawPeer.open(t.url);
  try {
    peer.send([HELLO_MAGIC, PROTOCOL_VERSION + 1, TOKEN]);
    const [[id, status, error]] = (await peer.next()) as [[number, number, string[]]];
    assert.equal(id, 0);
    assert.equal(status, FAILED);
    assert.equal(error[0], 'EVERSION');
    assert.equal(error[1], 'ProtocolError');
    assert.match(error[2]!, new RegExp(`version ${PROTOCOL_VERSION + 1} is not supported.*speaks ${PROTOCOL_VERSION}`));
    await peer.closedByPeer();
  } finally {
    peer.close();
  }
  await goodClientStillWorks();
});

test('a version that is not even a number gets EVERSION too, whatever it is', async () => {
  for (const version of ['1', null, { toString: 1 }, [1], 'v'.repeat(60_000)]) {
    const peer = await RawPeer.open(t.url);
    try {
      peer.send([HELLO_MAGIC, version, TOKEN]);
      const [[id, status, error]] = (await peer.next()) as [[number, number, string[]]];
      assert.deepEqual([id, status, error[0]], [0, FAILED, 'EVERSION']);
      assert.ok(error[2]!.length < 200, 'the refusal does not echo the peer back at length');
      await peer.closedByPeer();
    } finally {
      peer.close();
    }
  }
  await goodClientStillWorks();
});

test('a node speaking another version makes connect() reject with ProtocolError (EVERSION)', async () => {
  // A fake node: reads the hello and answers as a node of another version would.
  const fake = net.createServer((socket) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) =>
      decoder.push(chunk, () => {
        socket.end(frame(encode([[0, FAILED, ['EVERSION', 'ProtocolError', 'protocol version 1 is not supported; this node speaks 2']]])));
      }),
    );
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = fake.address() as net.AddressInfo;
    await assert.rejects(connect({ url: `skein://127.0.0.1:${port}` }), (err: unknown) => {
      assert.ok(err instanceof ProtocolError);
      assert.equal(err.code, 'EVERSION');
      assert.match(err.message, /speaks 2/);
      return true;
    });
  } finally {
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  }
});

const garbage: Array<[string, Buffer]> = [
  ['a frame that is not msgpack', frame(Buffer.from([0xc1, 0xc1, 0xc1]))],
  ['a msgpack value that is not a hello', frame(encode({ hello: 'there' }))],
  ['a request instead of a hello', frame(encode([[Op.Ping, 1]]))],
  ['a hello with the wrong magic', frame(encode(['skeen', PROTOCOL_VERSION, TOKEN]))],
  ['an empty frame', frame(Buffer.alloc(0))],
  ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
  ['a TLS ClientHello on a plain port', Buffer.from('16030100a5010000a10303', 'hex')],
];

for (const [what, bytes] of garbage) {
  test(`garbage before the handshake (${what}) gets the connection closed`, async () => {
    const peer = await RawPeer.open(t.url);
    try {
      peer.sendBytes(bytes);
      // Some inputs declare a frame longer than they are: end our side so the node sees the end.
      if (bytes.length < 4 || bytes.readUInt32BE(0) !== bytes.length - 4) peer.socket.end();
      await peer.closedByPeer();
    } finally {
      peer.close();
    }
    await goodClientStillWorks();
  });
}

test('garbage that declares a huge first frame is refused without waiting for its body', async () => {
  const peer = await RawPeer.open(t.url);
  try {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(0xffffffff, 0);
    peer.sendBytes(head);
    const [[id, status, error]] = (await peer.next()) as [[number, number, string[]]];
    assert.deepEqual([id, status, error[0]], [0, FAILED, 'EFRAME_TOO_LARGE']);
    await peer.closedByPeer();
  } finally {
    peer.close();
  }
  await goodClientStillWorks();
});

test('before the handshake a frame above MAX_HELLO_BYTES is refused; after it the full frame limit applies', async () => {
  const stranger = await RawPeer.open(t.url);
  try {
    stranger.send(['x'.repeat(MAX_HELLO_BYTES)]);
    const [[id, status, error]] = (await stranger.next()) as [[number, number, string[]]];
    assert.deepEqual([id, status, error[0]], [0, FAILED, 'EFRAME_TOO_LARGE']);
    await stranger.closedByPeer();
  } finally {
    stranger.close();
  }
  const member = await RawPeer.handshake(t.url, TOKEN);
  try {
    member.send([[Op.Ping, 7, 'x'.repeat(4 * MAX_HELLO_BYTES)]]);
    assert.deepEqual(await member.replyTo(7), [7, 0, null]);
  } finally {
    member.close();
  }
  await goodClientStillWorks();
});

test('a token is not needed on a node that requires none, and a given one is ignored', async () => {
  const open = await testNode();
  try {
    const withToken = await connect({ url: open.url, token: 'anything' });
    const without = await connect({ url: open.url });
    try {
      await withToken.ping();
      await without.ping();
    } finally {
      await withToken.close();
      await without.close();
    }
  } finally {
    await open.close();
  }
  await goodClientStillWorks();
});

test('a peer that connects and never completes the handshake is closed after handshakeTimeoutMs', async () => {
  const t = await testNode({ handshakeTimeoutMs: 30 });
  try {
    const silent = await RawPeer.open(t.url);
    const halfHello = await RawPeer.open(t.url);
    halfHello.sendBytes(Buffer.from([0, 0, 0, 20, 0x93]));
    await silent.closedByPeer();
    await halfHello.closedByPeer();
    const client = await t.client();
    assert.equal(await new AtomicLong({ key: 'after-silent', client }).incrementAndGet(), 1);
  } finally {
    await t.close();
  }
});
