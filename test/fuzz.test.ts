import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { AtomicLong, connect, type Client } from '../src/index.ts';
import { decode, encode } from '../src/protocol/codec.ts';
import { frame } from '../src/protocol/frame.ts';
import { FAILED, HELLO_MAGIC, OK, Op, PROTOCOL_VERSION } from '../src/protocol/messages.ts';
import { exited, RawPeer, skein, stopChild, testNode, waitForLine } from './support/node.ts';

const TOKEN = 'fuzz-token';

/** Codes a node may answer with; anything else is not a typed error. */
const CODES = new Set([
  'EPROTO',
  'EFRAME_TOO_LARGE',
  'EUNKNOWN_TYPE',
  'EUNKNOWN_METHOD',
  'EBAD_ARGS',
  'ETYPE_MISMATCH',
  'ENO_OBJECT',
  'EREMOTE',
  'ETIMEOUT',
  'EDESTROYED',
]);

/** Notices a node may send before the handshake has passed. */
const HELLO_CODES = new Set(['EAUTH', 'EVERSION', 'EFRAME_TOO_LARGE', 'EPROTO']);

/**
 * Asserts a reply has the wire shape: `[id, 0, value]` or `[id, 1, [code, name, message, stack?]]`
 * with a known code; before the handshake only a welcome or a refusal notice.
 */
function assertWellFormed(reply: unknown, beforeHello = false): void {
  // Replies echo fuzzed values, which may refuse String(): messages go through inspect, on failure only.
  const check = (ok: boolean, what: string): void => {
    if (!ok) assert.fail(`${what}: ${inspect(reply, { depth: 3, maxStringLength: 200 })}`);
  };
  check(Array.isArray(reply) && reply.length === 3, 'a reply is [id, status, value]');
  const [id, status, value] = reply as [unknown, unknown, unknown];
  check(typeof id === 'number' && Number.isSafeInteger(id) && id >= 0, 'bad reply id');
  if (beforeHello) check(id === 0, 'nothing but notices before the handshake');
  if (status === OK) return;
  check(status === FAILED, 'bad status');
  check(Array.isArray(value), 'an error reply carries [code, name, message]');
  const [code, name, message] = value as unknown[];
  check(typeof name === 'string' && typeof message === 'string', 'an error has a name and a message');
  if (beforeHello) check(HELLO_CODES.has(code as string), 'not a handshake notice');
  else if (id === 0) check(code === 'EPROTO' || code === 'EFRAME_TOO_LARGE', 'not a connection notice');
  else check(typeof code === 'string' && CODES.has(code), 'unexpected error code');
}

// ---- what the fuzzer sends ----------------------------------------------------------------------

/** Keys that mean something to JavaScript: a value holding them may refuse conversion or mislead. */
const HOSTILE_KEYS = ['toString', 'valueOf', '__proto__', 'constructor', 'then', 'hasOwnProperty', 'length', 'toJSON'];

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
    }),
  },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...HOSTILE_KEYS), fc.oneof(fc.integer(), fc.string(), fc.constant(null))) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n)) },
);

const TYPES = [
  'AtomicLong',
  'AtomicBoolean',
  'AtomicReference',
  'SharedMap',
  'SharedList',
  'AtomicMatrix',
  'CyclicBarrier',
  'CountDownLatch',
  'Semaphore',
  'Lock',
  'SharedFuture',
];
const ODD_NAMES = ['', 'Nope', 'constructor', '__proto__', 'toString', 'prototype', 'hasOwnProperty', 'then', 'valueOf'];

/** Valid calls on every built-in type: `[type, method, args, init, timeoutMs]`. */
const CALLS: Array<[string, string, unknown[], unknown[], number | null]> = [
  ['AtomicLong', 'addAndGet', [5], [0], null],
  ['AtomicLong', 'compareAndSet', [5, 6], [0], null],
  ['AtomicBoolean', 'getAndSet', [true], [false], null],
  ['AtomicReference', 'compareAndSet', [null, { a: [1, 'x'] }], [null], null],
  ['AtomicReference', 'set', [new Set([1, 2])], [null], null],
  ['SharedMap', 'merge', ['a', 1, 'sum'], [], null],
  ['SharedMap', 'mergeAll', [[['a', 1], ['b', 2]], 'max'], [], null],
  ['SharedMap', 'set', [1, { x: 1 }], [], null],
  ['SharedList', 'push', [1, 'two', [3]], [], null],
  ['SharedList', 'slice', [0, 2], [], null],
  ['SharedList', 'removeAt', [0], [], null],
  ['AtomicMatrix', 'addRow', [0, [1, 2]], [2, 2], null],
  ['AtomicMatrix', 'add', [[[1, 2], [3, 4]]], [2, 2], null],
  ['AtomicMatrix', 'toArray', [], [2, 2], null],
  ['CyclicBarrier', 'await', [], [2], 20],
  ['CyclicBarrier', 'reset', [], [2], null],
  ['CountDownLatch', 'countDown', [], [1], null],
  ['CountDownLatch', 'await', [], [1], 20],
  ['Semaphore', 'acquire', [1], [1], 20],
  ['Semaphore', 'release', [1], [1], null],
  ['Lock', 'lock', [], [], 20],
  ['Lock', 'unlock', [], [], null],
  ['SharedFuture', 'get', [], [], 20],
  ['SharedFuture', 'set', [42], [], null],
];
const METHODS = [...new Set(CALLS.map((c) => c[1]))];

const requestId = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }) }, { weight: 1, arbitrary: anyValue });
const fuzzKey = fc.nat(3).map((n) => `fuzz:${n}`);

/** A valid request of any kind (its id is random but legal most of the time). */
const validRequest: fc.Arbitrary<unknown[]> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.constantFrom(...CALLS), requestId, fuzzKey, fc.boolean()).map(([call, id, key, withInit]) => {
      const [type, method, args, init, timeoutMs] = call;
      // Keys mostly hold one type each, so calls reach objects; mutations mix them up.
      const at = `${key}:${type}`;
      return withInit || timeoutMs !== null
        ? [Op.Call, id, type, at, method, args, init, false, timeoutMs]
        : [Op.Call, id, type, at, method, args];
    }),
  },
  { weight: 1, arbitrary: fc.tuple(requestId, fuzzKey).map(([id, key]) => [Op.Destroy, id, key]) },
  { weight: 1, arbitrary: fc.tuple(requestId, fc.string({ maxLength: 6 })).map(([id, prefix]) => [Op.Keys, id, prefix]) },
  { weight: 1, arbitrary: requestId.map((id) => [Op.Ping, id]) },
  { weight: 1, arbitrary: requestId.map((id) => [Op.Info, id]) },
  { weight: 1, arbitrary: fc.tuple(requestId, fuzzKey).map(([id, key]) => [Op.Describe, id, key]) },
);

/** One change to a request: a field or an argument replaced, fields dropped or added, a name swapped. */
type Mutation = (req: unknown[]) => void;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(9), anyValue).map(([i, v]) => (req: unknown[]) => void (req[i] = v)),
  fc.nat(9).map((n) => (req: unknown[]) => void (req.length = Math.min(req.length, n))),
  fc.array(anyValue, { maxLength: 3 }).map((extra) => (req: unknown[]) => void req.push(...extra)),
  fc.tuple(fc.nat(4), anyValue).map(([i, v]) => (req: unknown[]) => {
    if (Array.isArray(req[5])) req[5] = Object.assign([...req[5]], { [i]: v });
  }),
  fc.tuple(fc.nat(3), anyValue).map(([i, v]) => (req: unknown[]) => {
    if (Array.isArray(req[6])) req[6] = Object.assign([...req[6]], { [i]: v });
  }),
  fc.constantFrom(...METHODS, ...ODD_NAMES).map((m) => (req: unknown[]) => void (req[4] = m)),
  fc.constantFrom(...TYPES, ...ODD_NAMES).map((t) => (req: unknown[]) => void (req[2] = t)),
  fc.oneof(fc.constantFrom(0, 1, -1, 2 ** 31, Number.NaN, Infinity), anyValue).map((ms) => (req: unknown[]) => void (req[8] = ms)),
  fc.constant((req: unknown[]) => void (req[7] = true)),
);

/**
 * Keeps fuzzed matrices small. A matrix may have up to 2^21 cells (16 MiB) and its constructor
 * allocates them all, so thousands of fuzzed sizes would test memory rather than the protocol.
 */
function tame(req: unknown[]): unknown[] {
  if (req[2] === 'AtomicMatrix' && Array.isArray(req[6])) {
    const [rows, cols] = req[6] as unknown[];
    if (typeof rows === 'number' && typeof cols === 'number' && rows * cols > 4096) req[6] = [2, 2];
  }
  return req;
}

const mutatedRequest: fc.Arbitrary<unknown> = fc
  .tuple(validRequest, fc.array(mutation, { maxLength: 3 }))
  .map(([req, mutations]) => {
    const copy = [...req];
    for (const m of mutations) m(copy);
    return tame(copy);
  });

/** Encodes, or `undefined` for a value msgpack cannot carry (that is the client's problem). */
function encodable(value: unknown): Buffer | undefined {
  try {
    return encode(value);
  } catch {
    return undefined;
  }
}

/** The msgpack encodings of the values `arb` makes, leaving out those msgpack cannot carry. */
function encoded(arb: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> {
  return arb.map(encodable).filter((b): b is Buffer => b !== undefined);
}

/** `depth` nested one-element arrays around nil, written by hand (deeper than any encoder would). */
function nested(depth: number): Buffer {
  return Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]);
}

/** A payload that keeps the stream in frame: whatever it holds, its length prefix is right. */
const payload: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: encoded(anyValue) },
  { weight: 1, arbitrary: encoded(fc.array(anyValue, { maxLength: 4 })) },
  { weight: 6, arbitrary: encoded(fc.array(mutatedRequest, { minLength: 1, maxLength: 8 })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(encoded(fc.array(validRequest, { minLength: 1, maxLength: 4 })), fc.nat())
      .map(([b, n]) => b.subarray(0, n % b.length)),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(9), fc.integer({ min: 1, max: 40_000 }), fc.nat(2 ** 31 - 2)).map(([flip, depth, byte]) => {
      // Deep nesting, as a whole frame or as the argument of a call.
      const deep = nested(depth);
      if (flip < 5) return deep;
      const head = encode([[Op.Call, 1 + byte, 'AtomicReference', 'fuzz:deep', 'set', [null], [null]]]);
      // The payload ends with `args, init` = [nil], [nil]: put the nested value in place of the arg.
      const at = head.length - 3;
      return Buffer.concat([head.subarray(0, at), deep, head.subarray(at + 1)]);
    }),
  },
);

/** Frames for one connection, possibly delivered in several writes cut anywhere. */
const framesOnPeer = fc.record({
  peer: fc.nat(3),
  payloads: fc.array(payload, { minLength: 1, maxLength: 4 }),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
});

/** What a connection that has not passed the handshake may send first. */
const strangerBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  encoded(anyValue).map(frame),
  encoded(
    fc
      .tuple(
        fc.tuple(
          fc.oneof(fc.constant(HELLO_MAGIC), anyValue),
          fc.oneof(fc.constant(PROTOCOL_VERSION), anyValue),
          fc.oneof(fc.constant(TOKEN), anyValue),
        ),
        fc.array(anyValue, { maxLength: 2 }),
      )
      .map(([hello, extra]) => [...hello, ...extra]),
  ).map(frame),
);

/** What breaks the framing of a connection that did pass the handshake. */
const streamBreaker: fc.Arbitrary<{ bytes: Buffer; oversize: boolean }> = fc.oneof(
  // A declared length above the limit, with or without some body.
  fc.tuple(fc.integer({ min: 16 * 1024 * 1024 + 1, max: 2 ** 32 - 1 }), fc.uint8Array({ maxLength: 64 })).map(([len, body]) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(len, 0);
    return { bytes: Buffer.concat([head, body]), oversize: true };
  }),
  // A frame cut short: the prefix promises more than ever comes.
  fc.tuple(encoded(fc.array(validRequest, { minLength: 1, maxLength: 3 })), fc.nat()).map(([payload, n]) => {
    const whole = frame(payload);
    return { bytes: whole.subarray(0, n % whole.length), oversize: false };
  }),
  // Unframed bytes.
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({ bytes: Buffer.from(b), oversize: false })),
);

// ---- running it against a node ------------------------------------------------------------------

/** Splits `bytes` at the given offsets. */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const to of at) {
    out.push(bytes.subarray(from, to));
    from = to;
  }
  out.push(bytes.subarray(from));
  return out.filter((c) => c.length > 0);
}

/** Reads every frame until the node closes the connection (after we ended our side). */
async function drain(peer: RawPeer): Promise<unknown[][]> {
  const replies: unknown[][] = [];
  for (;;) {
    try {
      replies.push(...((await peer.next()) as unknown[][]));
    } catch {
      return replies;
    }
  }
}

interface Budget {
  framed: number;
  strangers: number;
  breakers: number;
}

/**
 * Fuzzes the node at `url` over four long-lived connections (each fuzzed input is followed by a
 * ping that must be answered on the same connection) and over short-lived ones that break the
 * handshake or the framing. Meanwhile `counter` is incremented once per input by a correct client.
 * Resolves with the number of increments.
 */
async function fuzz(url: string, counter: AtomicLong, budget: Budget): Promise<number> {
  let increments = 0;
  const bump = async (): Promise<void> => {
    await counter.incrementAndGet();
    increments++;
  };
  const peers = await Promise.all([0, 1, 2, 3].map(() => RawPeer.handshake(url, TOKEN)));
  let pingId = 2 ** 50;
  try {
    await fc.assert(
      fc.asyncProperty(framesOnPeer, async ({ peer: p, payloads, cuts }) => {
        // A connection lost to a failing input is replaced, so shrinking replays on a live one.
        if (peers[p]!.closed) peers[p] = await RawPeer.handshake(url, TOKEN);
        const peer = peers[p]!;
        const ping = pingId++;
        const bytes = Buffer.concat([...payloads.map(frame), frame(encode([[Op.Ping, ping]]))]);
        for (const c of chunks(bytes, cuts)) peer.sendBytes(c);
        const seen: unknown[][] = [];
        const [reply] = await Promise.all([peer.replyTo(ping, seen), bump()]);
        assert.deepEqual(reply, [ping, OK, null]);
        for (const r of seen) assertWellFormed(r);
      }),
      { numRuns: budget.framed },
    );

    await fc.assert(
      fc.asyncProperty(strangerBytes, async (bytes) => {
        const peer = await RawPeer.open(url);
        try {
          peer.sendBytes(bytes);
          peer.socket.end();
          const [replies] = await Promise.all([drain(peer), bump()]);
          for (const r of replies) assertWellFormed(r, true);
          const welcomed = replies.some((r) => r[0] === 0 && r[1] === OK);
          if (welcomed) {
            // Only a real hello with the right version and token may pass.
            const hello = decode(bytes.subarray(4)) as unknown[];
            assert.deepEqual(hello.slice(0, 3), [HELLO_MAGIC, PROTOCOL_VERSION, TOKEN]);
          }
        } finally {
          peer.close();
        }
      }),
      { numRuns: budget.strangers },
    );

    await fc.assert(
      fc.asyncProperty(streamBreaker, async ({ bytes, oversize }) => {
        const peer = await RawPeer.handshake(url, TOKEN);
        try {
          peer.sendBytes(bytes);
          peer.socket.end();
          const [replies] = await Promise.all([drain(peer), bump()]);
          for (const r of replies) assertWellFormed(r);
          if (oversize) assert.ok(replies.some((r) => r[0] === 0 && (r[2] as string[])[0] === 'EFRAME_TOO_LARGE'));
        } finally {
          peer.close();
        }
      }),
      { numRuns: budget.breakers },
    );

    // Every long-lived connection is still served after all of it.
    for (const peer of peers) {
      const ping = pingId++;
      peer.send([[Op.Ping, ping]]);
      assert.deepEqual(await peer.replyTo(ping), [ping, OK, null]);
    }
  } finally {
    for (const peer of peers) peer.close();
  }
  return increments;
}

/** Runs the fuzzer between two exact updates of a counter and checks the counter is exact. */
async function fuzzAround(url: string, client: Client, budget: Budget): Promise<void> {
  const counter = new AtomicLong({ key: 'checked:counter', client }, 100);
  assert.equal(await counter.addAndGet(10), 110);
  const increments = await fuzz(url, counter, budget);
  assert.equal(increments, budget.framed + budget.strangers + budget.breakers);
  assert.equal(await counter.addAndGet(10), 120 + increments);
  assert.equal(await counter.get(), 120 + increments);
}

test('thousands of random and mutated frames leave an in-process node serving correct answers', async () => {
  const t = await testNode({ token: TOKEN });
  try {
    const client = await t.client();
    await fuzzAround(t.url, client, { framed: 2000, strangers: 200, breakers: 200 });
  } finally {
    await t.close();
  }
});

test('a `skein dso` process survives the fuzzer (a crash would show as the child exiting)', async () => {
  const child = skein(['dso', '--port', '0', '--token', TOKEN, '--log-level', 'silent']);
  let client: Client | undefined;
  try {
    const [, url] = await waitForLine(child, /listening on (skein:\/\/\S+)/);
    client = await connect({ url: url!, token: TOKEN });
    await fuzzAround(url!, client, { framed: 600, strangers: 60, breakers: 60 });
    assert.equal(child.exitCode, null, 'the node process must still be running');
    await client.close();
    child.kill('SIGTERM');
    assert.deepEqual(await exited(child), { code: 0, signal: null });
  } finally {
    await client?.close();
    await stopChild(child);
  }
});
