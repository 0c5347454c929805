import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, InvalidCallError, type Client } from '../src/index.ts';
import type { CallTarget } from '../src/client/client.ts';
import { encode } from '../src/protocol/codec.ts';
import { frame } from '../src/protocol/frame.ts';
import { FAILED, OK, Op } from '../src/protocol/messages.ts';
import { RawPeer, testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let good: Client;
let peer: RawPeer;
let nextId = 1000;

before(async () => {
  t = await testNode();
  good = await t.client();
  peer = await RawPeer.handshake(t.url);
});

after(async () => {
  peer.close();
  await t.close();
});

/**
 * Sends `bytes` as-is, then a ping in its own frame, and returns every reply up to the ping's.
 * The ping's answer proves the connection still serves after the bad input.
 */
async function afterBadInput(bytes: Buffer): Promise<unknown[][]> {
  const ping = nextId++;
  peer.sendBytes(Buffer.concat([bytes, frame(encode([[Op.Ping, ping]]))]));
  const seen: unknown[][] = [];
  assert.deepEqual(await peer.replyTo(ping, seen), [ping, OK, null]);
  return seen.slice(0, -1);
}

/** Asserts `replies` is exactly one error with request id `id` and code `code`; returns its message. */
function oneError(replies: unknown[][], id: number, code: string): string {
  assert.equal(replies.length, 1, `expected one reply, got ${JSON.stringify(replies)}`);
  const [rid, status, error] = replies[0] as [number, number, string[]];
  assert.equal(rid, id);
  assert.equal(status, FAILED);
  assert.equal(error[0], code);
  assert.equal(typeof error[1], 'string');
  assert.equal(typeof error[2], 'string');
  return error[2]!;
}

function target(type: string, key: string, init: unknown[] = []): CallTarget {
  return { type, key, init, forceNew: false, initSent: false };
}

test('a frame that is not msgpack gets an EPROTO notice and the connection goes on', async () => {
  const cases = [
    [0x93, 0x01], // an array of 3 with one element
    [0xd9, 0x05, 0x61], // a 5-byte string with one byte
    [0x91, 0x01, 0x02], // bytes after the value
    [0xc1, 0xc1], // the never-used byte, twice
  ];
  for (const bytes of cases) {
    const message = oneError(await afterBadInput(frame(Buffer.from(bytes))), 0, 'EPROTO');
    assert.match(message, /not valid msgpack/);
  }
});

test('a frame that is not an array gets an EPROTO notice', async () => {
  for (const value of [42, 'hello', { a: 1 }, null, true]) {
    const message = oneError(await afterBadInput(frame(encode(value))), 0, 'EPROTO');
    assert.match(message, /array of requests/);
  }
});

test('a request that is not an array, or too short, gets an EPROTO notice', async () => {
  for (const req of ['x', 7, null, { op: 4 }, [], [Op.Ping]]) {
    const message = oneError(await afterBadInput(frame(encode([req]))), 0, 'EPROTO');
    assert.match(message, /request must be an array/);
  }
});

test('a bad request id gets an EPROTO notice', async () => {
  for (const id of [0, -1, 1.5, 'one', null, 2 ** 53, [1]]) {
    const message = oneError(await afterBadInput(frame(encode([[Op.Ping, id]]))), 0, 'EPROTO');
    assert.match(message, /id must be a positive integer/);
  }
});

test('an unknown op gets an EPROTO reply for its id', async () => {
  // Values that refuse conversion to a string ({ toString: 1 }) must not break the reply.
  for (const op of [0, 10, 99, 'call', null, { toString: 1 }, { toString: 1, valueOf: 1 }, 'x'.repeat(100_000)]) {
    const id = nextId++;
    const message = oneError(await afterBadInput(frame(encode([[op, id]]))), id, 'EPROTO');
    assert.match(message, /unknown request kind/);
  }
});

test('a call with fields of the wrong type gets an EPROTO reply for its id', async () => {
  const calls: Array<[unknown[], RegExp]> = [
    [[42, 'k', 'get', []], /a call is/],
    [['AtomicLong', 42, 'get', []], /a call is/],
    [['AtomicLong', 'k', 42, []], /a call is/],
    [['AtomicLong', 'k', 'get', 'args'], /a call is/],
    [['AtomicLong', 'k', 'get'], /a call is/],
    [['AtomicLong', 'k', 'get', [], 'init'], /init args/],
    [['AtomicLong', 'k', 'get', [], [], 'yes'], /forceNew/],
    [['AtomicLong', 'k', 'get', [], [], false, -1], /timeoutMs/],
    [['AtomicLong', 'k', 'get', [], [], false, 2 ** 31], /timeoutMs/],
    [['AtomicLong', 'k', 'get', [], [], false, 'soon'], /timeoutMs/],
    [['AtomicLong', 'k', 'get', [], [], false, Number.NaN], /timeoutMs/],
  ];
  for (const [fields, why] of calls) {
    const id = nextId++;
    const message = oneError(await afterBadInput(frame(encode([[Op.Call, id, ...fields]]))), id, 'EPROTO');
    assert.match(message, why);
  }
  for (const req of [[Op.Destroy, nextId++, 42], [Op.Keys, nextId++, { prefix: 'a' }]]) {
    oneError(await afterBadInput(frame(encode([req]))), req[1] as number, 'EPROTO');
  }
  assert.equal(t.node.objectCount(), 0, 'no malformed call may create an object');
});

test('bad requests in a frame do not stop the good ones around them', async () => {
  const replies = await afterBadInput(
    frame(encode([[Op.Ping, 11], 'junk', [Op.Call, 12, 'AtomicLong', 'mixed', 'addAndGet', [5], [1]], [Op.Ping, -3], [Op.Keys, 13, 'mix']])),
  );
  assert.deepEqual(
    replies.map((r) => [r[0], r[1]]),
    [[11, OK], [0, FAILED], [12, OK], [0, FAILED], [13, OK]],
  );
  assert.equal(replies[2]![2], 6);
  assert.deepEqual(replies[4]![2], ['mixed']);
});

test('an unknown type gets EUNKNOWN_TYPE telling how to load it', async () => {
  await assert.rejects(good.call(target('Centroids', 'c', [3]), 'add', [1]), (err: unknown) => {
    assert.ok(err instanceof InvalidCallError);
    assert.equal(err.code, 'EUNKNOWN_TYPE');
    assert.match(err.message, /'Centroids' is not loaded/);
    assert.match(err.message, /--objects/);
    return true;
  });
  await good.ping();
});

test('an unknown method gets EUNKNOWN_METHOD and leaves the object as it was', async () => {
  const counter = new AtomicLong({ key: 'methods', client: good }, 7);
  assert.equal(await counter.get(), 7);
  await assert.rejects(good.call(counter, 'frobnicate', []), { code: 'EUNKNOWN_METHOD', message: /no method 'frobnicate'/ });
  assert.equal(await counter.get(), 7);
});

test("members outside the type's method table are unreachable: constructor, __proto__, toString, ...", async () => {
  const counter = new AtomicLong({ key: 'reach', client: good }, 3);
  assert.equal(await counter.get(), 3);
  const members = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'checked', 'value', 'then', ''];
  for (const method of members) {
    await assert.rejects(good.call(counter, method, [0]), (err: unknown) => {
      assert.ok(err instanceof InvalidCallError, `${method}: ${String(err)}`);
      assert.equal(err.code, 'EUNKNOWN_METHOD', method);
      return true;
    });
  }
  assert.equal(await counter.get(), 3);
  assert.equal(await counter.incrementAndGet(), 4);
});

test('arguments of the wrong type or count get EBAD_ARGS and change nothing', async () => {
  const counter = new AtomicLong({ key: 'args', client: good }, 1);
  await assert.rejects(counter.set('two' as unknown as number), { code: 'EBAD_ARGS' });
  await assert.rejects(counter.addAndGet(1.5), { code: 'EBAD_ARGS' });
  await assert.rejects(good.call(counter, 'incrementAndGet', [1]), { code: 'EBAD_ARGS' });
  await assert.rejects(good.call(counter, 'compareAndSet', [1]), { code: 'EBAD_ARGS' });
  assert.equal(await counter.get(), 1);
});

test('a key holding another type gets ETYPE_MISMATCH', async () => {
  const counter = new AtomicLong({ key: 'typed', client: good });
  await counter.set(5);
  await assert.rejects(good.call(target('AtomicBoolean', 'typed', []), 'get', []), { code: 'ETYPE_MISMATCH' });
  assert.equal(await counter.get(), 5);
});

test('an oversize frame gets an EFRAME_TOO_LARGE notice and its connection closed; others go on', async () => {
  const small = await testNode({ maxFrameBytes: 1024 });
  const bystander = await small.client();
  const counter = new AtomicLong({ key: 'bystander', client: bystander });
  const offender = await RawPeer.handshake(small.url);
  try {
    assert.equal(await counter.incrementAndGet(), 1);
    // A frame exactly at the limit is fine.
    const atLimit = encode([[Op.Ping, 1, 'x'.repeat(1024 - 10)]]);
    const padded = encode([[Op.Ping, 1, 'x'.repeat(1024 - 10 + (1024 - atLimit.length))]]);
    assert.equal(padded.length, 1024);
    offender.sendBytes(frame(padded));
    assert.deepEqual(await offender.replyTo(1), [1, OK, null]);
    // A ping, then an oversize frame, in one write: the ping is answered, then the notice.
    offender.sendBytes(Buffer.concat([frame(encode([[Op.Ping, 2]])), frame(Buffer.alloc(1025, 0x90))]));
    const seen: unknown[][] = [];
    await offender.replyTo(2, seen);
    const notice = seen.find((r) => r[0] === 0) ?? ((await offender.next()) as unknown[][])[0]!;
    const [id, status, error] = notice as [number, number, string[]];
    assert.deepEqual([id, status, error[0]], [0, FAILED, 'EFRAME_TOO_LARGE']);
    assert.match(error[2]!, /1025 bytes exceeds the limit of 1024/);
    await offender.closedByPeer();
    assert.equal(await counter.incrementAndGet(), 2);
  } finally {
    offender.close();
    await small.close();
  }
});

test('the raw connection served every request above and the good client still works', async () => {
  assert.deepEqual(await afterBadInput(Buffer.alloc(0)), []);
  assert.equal(await new AtomicLong({ key: 'methods', client: good }).incrementAndGet(), 8);
});
