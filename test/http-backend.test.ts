import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { AtomicLong, configureRuntime, DagNodeError, PayloadTooLargeError, RemoteError, ServerlessExecutor, TimeoutError, WorkerCrashedError } from '../src/index.ts';
import { ENVELOPE_CONTENT_TYPE, fetchHandler } from '../src/http.ts';
import { decode } from '../src/protocol/codec.ts';
import { encodeEnvelope } from '../src/runtime/envelope.ts';
import { SIGNATURE_HEADER, signEnvelope } from '../src/runtime/signature.ts';
import { echo, increment } from './fixtures/echo-tasks.ts';
import { overQuota } from './fixtures/failing-tasks.ts';
import { awaitForever, whoami } from './fixtures/hang-tasks.ts';
import { fanOut } from './fixtures/invocation-tasks.ts';
import { runFixture } from './support/fixture.ts';
import { stopChild, waitForLine, type TestNode } from './support/node.ts';
import { threadsNode } from './support/threads.ts';
import type { ChildProcess } from 'node:child_process';

/** The secret this app and its function share. */
const secret = 'http-backend-test-secret';

let t: TestNode;
let fn: ChildProcess;
let url: string;
before(async () => {
  t = await threadsNode();
  fn = runFixture('http-function.ts', [], { SKEIN_FUNCTION_SECRET: secret });
  [, url] = (await waitForLine(fn, /listening on (http:\S+)/)) as RegExpMatchArray as [string, string];
});
after(async () => {
  await stopChild(fn);
  await t.close();
});

test('threads run in an HTTP function: results, handles on the shared DSO, and the thread ran there', async () => {
  const ex = new ServerlessExecutor({ backend: 'http', url, secret, workers: 4 });
  try {
    assert.deepEqual(await ex.submit(echo, { a: [1, 2] }), { a: [1, 2] });
    const counter = new AtomicLong({ key: 'http-hits' }, 0);
    await counter.get();
    const results = await ex.invokeAll(Array.from({ length: 8 }, () => [increment, counter] as const));
    assert.deepEqual([...results].sort((a, b) => (a as number) - (b as number)), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(await ex.submit(whoami, null), fn.pid, 'the function process ran it');
  } finally {
    await ex.shutdown();
  }
});

test("a thread's own error comes back as a RemoteError, as from local threads", async () => {
  const ex = new ServerlessExecutor({ backend: 'http', url, secret });
  try {
    await assert.rejects(ex.submit(overQuota, 3), (err: unknown) => {
      assert.ok(err instanceof RemoteError);
      assert.equal(err.remoteName, 'QuotaExceeded');
      assert.equal(err.message, 'quota of 3 exceeded');
      return true;
    });
  } finally {
    await ex.shutdown();
  }
});

test('a DAG 1 -> 3 -> 1 on the http backend: the function starts the middle nodes as requests to itself; the result is right', async () => {
  configureRuntime({ backend: 'http', url, secret });
  const d = fanOut('fan-http');
  const parts = await d.call(1);
  assert.deepEqual(
    parts.map((p) => p.split('@')[0]),
    ['x', 'y', 'z'],
  );
  const ran = parts.map((p) => p.split('@')[1]!);
  for (const r of ran) assert.equal(r.split('/')[0], String(fn.pid), 'the function ran it');
  assert.equal(new Set(ran).size, 3, `the middle nodes ran in three requests: ${ran.join(', ')}`);
});

test('a DAG node that throws in a request the function started fails the run with DagNodeError', async () => {
  configureRuntime({ backend: 'http', url, secret });
  const d = fanOut('fan-http-fails', true);
  const run = d.start(1);
  await assert.rejects(run.result(), (err: unknown) => {
    assert.ok(err instanceof DagNodeError, String(err));
    assert.equal(err.node, 'bad');
    assert.ok(err.cause instanceof RemoteError);
    assert.equal(err.cause.remoteName, 'RangeError');
    assert.match(err.cause.message, /boom on 2/);
    return true;
  });
  const status = await run.status();
  assert.equal(status.failed, 'bad');
  assert.equal(status.nodes.out, 'waiting');
});

test('the backend maps HTTP failures: 504 is a TimeoutError, 413 a PayloadTooLargeError, 500 a WorkerCrashedError, 429 is retried', async () => {
  let busyHits = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/slow') res.writeHead(504).end('upstream timed out');
    else if (req.url === '/big') res.writeHead(413).end('too big');
    else if (req.url === '/busy') {
      // Throttled twice, then a failure that is not retried: the third request is the last.
      busyHits++;
      if (busyHits <= 2) res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      else res.writeHead(500).end('let through');
    } else res.writeHead(500).end('the function crashed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const on = (path: string): ServerlessExecutor => new ServerlessExecutor({ backend: 'http', url: `${base}${path}`, secret });
  try {
    await assert.rejects(on('/slow').submit(echo, 1), TimeoutError);
    await assert.rejects(on('/big').submit(echo, 1), PayloadTooLargeError);
    await assert.rejects(on('/broken').submit(echo, 1), (err: unknown) => err instanceof WorkerCrashedError && /HTTP 500.*the function crashed/.test(err.message));
    await assert.rejects(on('/busy').submit(echo, 1), (err: unknown) => err instanceof WorkerCrashedError && /let through/.test(err.message));
    assert.equal(busyHits, 3, 'two throttled attempts were retried');
  } finally {
    server.close();
  }
});

test('the http backend POSTs a thread again only on 429 or 503 with Retry-After: a cut connection, a 502, a 503 without it are one POST each', async () => {
  const posts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const n = (posts.get(req.url!) ?? 0) + 1;
      posts.set(req.url!, n);
      // The envelope has arrived: the function may be running it when the connection goes.
      if (req.url === '/cut') req.socket.destroy();
      else if (req.url === '/bad-gateway') res.writeHead(502).end('upstream reset');
      else if (req.url === '/unavailable') res.writeHead(503).end('down');
      else if (n <= 2) res.writeHead(503, { 'retry-after': '0' }).end('no capacity');
      else res.writeHead(500).end('let through');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const on = (path: string): ServerlessExecutor => new ServerlessExecutor({ backend: 'http', url: `${base}${path}`, secret });
  try {
    await assert.rejects(on('/cut').submit(echo, 1), (err: unknown) => {
      assert.ok(err instanceof WorkerCrashedError, String(err));
      assert.match(err.message, /unknown whether thread \S+ ran on .*\/cut: the request failed \(UND_ERR_SOCKET: .*\); it may have run, in part or to the end; it was not sent again/);
      return true;
    });
    await assert.rejects(on('/bad-gateway').submit(echo, 1), (err: unknown) => err instanceof WorkerCrashedError && /HTTP 502/.test(err.message));
    await assert.rejects(on('/unavailable').submit(echo, 1), (err: unknown) => err instanceof WorkerCrashedError && /HTTP 503/.test(err.message));
    await assert.rejects(on('/full').submit(echo, 1), (err: unknown) => err instanceof WorkerCrashedError && /let through/.test(err.message));
    assert.deepEqual(Object.fromEntries(posts), { '/cut': 1, '/bad-gateway': 1, '/unavailable': 1, '/full': 3 });
  } finally {
    server.close();
  }
});

test('a function that cannot be reached: the thread fails as not started', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as { port: number };
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const ex = new ServerlessExecutor({ backend: 'http', url: `http://127.0.0.1:${port}/`, secret });
  await assert.rejects(ex.submit(echo, 1), (err: unknown) => err instanceof WorkerCrashedError && /thread \S+ was not started: .* could not be reached \(ECONNREFUSED/.test(err.message));
  await ex.shutdown();
});

test('the http backend gives up on a thread past timeoutMs with a TimeoutError', async () => {
  const ex = new ServerlessExecutor({ backend: 'http', url, secret, timeoutMs: 200 });
  try {
    await assert.rejects(ex.submit(awaitForever, null), TimeoutError);
  } finally {
    await ex.shutdown();
  }
});

test('skein/http answers what is not an envelope with a clear status: 405, 415, 413', async () => {
  // The fetch-style handler, in this process (where the echo task is registered too).
  const handle = fetchHandler({ maxBytes: 1024, secret });
  const post = (body: Uint8Array, type = ENVELOPE_CONTENT_TYPE): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': type, [SIGNATURE_HEADER]: signEnvelope(secret, body) },
    body: body as Uint8Array<ArrayBuffer>,
  });
  const envelope = encodeEnvelope({ v: 1, threadId: 't1', module: 'file:///elsewhere/tasks.ts', task: 'echo', arg: 'hi' });
  const ran = await handle(new Request('http://fn/', post(envelope)));
  assert.equal(ran.status, 200);
  assert.deepEqual(decode(new Uint8Array(await ran.arrayBuffer())), { ok: true, value: 'hi' }, 'found by name; the spawner\'s module path is not imported');
  const big = await handle(new Request('http://fn/', post(new Uint8Array(2048))));
  assert.equal(big.status, 413);
  assert.equal((await handle(new Request('http://fn/'))).status, 405);

  assert.equal((await fetch(url)).status, 405);
  const json = new TextEncoder().encode('{}');
  const wrongType = await fetch(url, post(json, 'application/json'));
  assert.equal(wrongType.status, 415);
  assert.match(await wrongType.text(), /application\/vnd\.skein\.envelope/);
  const garbage = await fetch(url, post(new Uint8Array([1, 2, 3])));
  assert.equal(garbage.status, 200, 'a malformed envelope is a failed outcome, not a crash');
});
