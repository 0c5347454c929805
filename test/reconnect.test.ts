import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AtomicLong, connect, ConnectionClosedError, createClient, CyclicBarrier, SharedFuture } from '../src/index.ts';
import { FrameProxy, freePort, testNode } from './support/node.ts';

/** Asserts `p` rejects with a ConnectionClosedError whose message matches `message`. */
async function rejectsClosed(p: Promise<unknown>, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ConnectionClosedError, `expected ConnectionClosedError, got ${String(err)}`);
    assert.equal(err.code, 'ECLOSED');
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('a lost connection: calls in flight are sent again with their ids and applied once, and the session resumes', async () => {
  const t = await testNode();
  const proxy = await FrameProxy.start(t.url);
  const client = await connect({ url: proxy.url });
  try {
    const counter = new AtomicLong({ key: 'counter', client });
    assert.equal(await counter.incrementAndGet(), 1);
    const session = await client.session();

    const parked = new SharedFuture<number>({ key: 'later', client }).get();
    await client.ping(); // the get is parked on the node now
    // One call reaches the node and is applied, but its reply is lost with the connection.
    proxy.dropReplies(true);
    const replies = proxy.frames.toClient.length;
    const applied = counter.incrementAndGet();
    await proxy.waitForFrames('toClient', replies + 1);
    // Another never reaches the node.
    proxy.dropReplies(false);
    proxy.hold(true);
    const sent = proxy.frames.toNode.length;
    const neverArrived = counter.incrementAndGet();
    await proxy.waitForFrames('toNode', sent + 1);
    proxy.cut();
    proxy.hold(false);

    assert.deepEqual((await Promise.all([applied, neverArrived])).sort(), [2, 3], 'each applied exactly once');
    assert.equal(await counter.get(), 3);
    assert.equal(await client.session(), session, 'the reconnect resumed the session');
    // The parked get was withdrawn when its connection went, and sent again: it still completes.
    await new SharedFuture<number>({ key: 'later', client }).set(5);
    assert.equal(await parked, 5);
  } finally {
    await client.close();
    await proxy.close();
    await t.close();
  }
});

test('with retryWindowMs 0, a lost connection rejects the calls in flight at once', async () => {
  const t = await testNode();
  const proxy = await FrameProxy.start(t.url);
  const client = await connect({ url: proxy.url, retryWindowMs: 0 });
  try {
    const counter = new AtomicLong({ key: 'counter', client });
    assert.equal(await counter.incrementAndGet(), 1);
    proxy.hold(true);
    const sent = proxy.frames.toNode.length;
    const inFlight = counter.incrementAndGet();
    await proxy.waitForFrames('toNode', sent + 1);
    const rejected = rejectsClosed(inFlight, /closed/);
    proxy.cut();
    await rejected;
    proxy.hold(false);
    assert.equal(await counter.incrementAndGet(), 2, 'the next call reconnects; the held call was never applied');
  } finally {
    await client.close();
    await proxy.close();
    await t.close();
  }
});

test('a node that restarts on the same port is reached again, and a call made while it is down waits for it', async () => {
  const t = await testNode();
  const port = t.node.port;
  const client = await connect({ url: t.url });
  let restarted: Awaited<ReturnType<typeof testNode>> | undefined;
  try {
    const counter = new AtomicLong({ key: 'counter', client }, 40);
    assert.equal(await counter.incrementAndGet(), 41);
    // A parked call at shutdown is answered (not applied), not just dropped with the connection.
    const parked = rejectsClosed(new CyclicBarrier({ key: 'meet', client }, 2).await(), /shutting down; the call was not applied/);
    await client.ping();
    await t.close();
    await parked;
    // While nothing listens, a call keeps being resent (within the retry window).
    const waiting = counter.incrementAndGet();
    restarted = await testNode({ port });
    // A fresh node (no data directory): the object is created again from the handle's init args.
    assert.equal(await waiting, 41);
  } finally {
    await client.close();
    await restarted?.close();
    await t.close();
  }
});

test('a client that never reached its DSO retries nothing: a refused connection fails each call at once, and the next call tries again', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const url = `skein://127.0.0.1:${port}`;
  await rejectsClosed(connect({ url }), /ECONNREFUSED/);
  // A window longer than the test's timeout: retrying a never-reached node would fail the test.
  const client = createClient({ url, retryWindowMs: 60_000 });
  let t: Awaited<ReturnType<typeof testNode>> | undefined;
  try {
    const counter = new AtomicLong({ key: 'k', client }, 7);
    await rejectsClosed(counter.get(), /ECONNREFUSED/);
    await rejectsClosed(client.ping(), /ECONNREFUSED/);
    t = await testNode({ port });
    assert.equal(await counter.get(), 7, 'once the node is up, the same client reaches it');
  } finally {
    await client.close();
    await t?.close();
  }
});

test('seeds are tried in order: a dead first seed falls through to a live one', async () => {
  const t = await testNode();
  const dead = await freePort();
  const client = await connect({ url: `skein://127.0.0.1:${dead},${t.url}` });
  try {
    assert.equal(await new AtomicLong({ key: 'k', client }, 3).get(), 3);
  } finally {
    await client.close();
    await t.close();
  }
});

test('close() rejects the calls in flight, and every call after it, with ConnectionClosedError', async () => {
  const t = await testNode();
  const client = await connect({ url: t.url });
  try {
    const counter = new AtomicLong({ key: 'counter', client });
    assert.equal(await counter.incrementAndGet(), 1);
    const parked = rejectsClosed(new SharedFuture({ key: 'never', client }).get(), /client was closed/);
    await client.ping();
    const inFlight = rejectsClosed(counter.incrementAndGet(), /client was closed/);
    await client.close();
    await Promise.all([parked, inFlight]);
    await rejectsClosed(counter.get(), /client was closed/);
    await rejectsClosed(client.ping(), /client was closed/);
    await rejectsClosed(client.keys(), /client was closed/);
    await rejectsClosed(client.destroy('counter'), /client was closed/);
  } finally {
    await client.close();
    await t.close();
  }
});

test('SKEIN_RETRY_WINDOW_MS sets the default retry window; a value that is not a whole number is refused', () => {
  const saved = process.env.SKEIN_RETRY_WINDOW_MS;
  try {
    process.env.SKEIN_RETRY_WINDOW_MS = '250';
    assert.equal(createClient({ url: 'skein://127.0.0.1:1' }).retryWindowMs, 250);
    assert.equal(createClient({ url: 'skein://127.0.0.1:1', retryWindowMs: 5 }).retryWindowMs, 5, 'the option wins');
    for (const bad of ['x', '-1', '1.5', '1e3']) {
      process.env.SKEIN_RETRY_WINDOW_MS = bad;
      assert.throws(() => createClient({ url: 'skein://127.0.0.1:1' }), /SKEIN_RETRY_WINDOW_MS must be a whole number/);
    }
  } finally {
    if (saved === undefined) delete process.env.SKEIN_RETRY_WINDOW_MS;
    else process.env.SKEIN_RETRY_WINDOW_MS = saved;
  }
});
