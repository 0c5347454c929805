import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { AtomicLong, AuthError, ServerlessExecutor } from '../src/index.ts';
import { ENVELOPE_CONTENT_TYPE, fetchHandler, nodeHandler, SIGNATURE_HEADER } from '../src/http.ts';
import { decode } from '../src/protocol/codec.ts';
import { encodeEnvelope } from '../src/runtime/envelope.ts';
import { SECRET_ENV, signEnvelope } from '../src/runtime/signature.ts';
import { increment } from './fixtures/echo-tasks.ts';
import { runFixture } from './support/fixture.ts';
import { stopChild, waitForLine, type TestNode } from './support/node.ts';
import { threadsNode } from './support/threads.ts';

const secret = 'the-secret-this-app-and-function-share';
const MINUTE = 60 * 1000;

let t: TestNode;
let fn: ChildProcess;
let url: string;
before(async () => {
  t = await threadsNode();
  fn = runFixture('http-function.ts', [], { [SECRET_ENV]: secret });
  [, url] = (await waitForLine(fn, /listening on (http:\S+)/)) as RegExpMatchArray as [string, string];
});
after(async () => {
  await stopChild(fn);
  await t.close();
});

/** An envelope asking the function to run `increment` on `counter` (a handle on the test's DSO). */
function incrementEnvelope(counter: AtomicLong, threadId: string): Uint8Array {
  return encodeEnvelope({ v: 1, threadId, module: 'file:///elsewhere/tasks.ts', task: 'increment', arg: counter, dso: t.url });
}

/** POSTs `body` to the function with `signature` (none when undefined). */
function post(body: Uint8Array, signature: string | undefined): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': ENVELOPE_CONTENT_TYPE, ...(signature !== undefined ? { [SIGNATURE_HEADER]: signature } : {}) },
    body: body as Uint8Array<ArrayBuffer>,
  });
}

/** Asserts a 401 whose JSON error matches `reason`. */
async function assertRefused(res: Response, reason: RegExp): Promise<void> {
  assert.equal(res.status, 401, `expected 401, got ${res.status}`);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const { error } = (await res.json()) as { error: string };
  assert.match(error, reason);
}

test('a forged envelope gets 401 and runs nothing: no signature, malformed, wrong secret, tampered body, stale, from the future', async () => {
  const counter = new AtomicLong({ key: 'forged-hits', forceNew: true }, 0);
  await counter.get();
  const body = incrementEnvelope(counter, 'forged-1');
  const other = incrementEnvelope(counter, 'forged-2');

  await assertRefused(await post(body, undefined), /no x-skein-signature header/);
  await assertRefused(await post(body, 't=1,v1=abc'), /malformed/);
  await assertRefused(await post(body, signEnvelope('another-secret-of-16+chars', body)), /wrong signature/);
  // A genuine signature of one envelope, sent with another body.
  await assertRefused(await post(other, signEnvelope(secret, body)), /wrong signature/);
  const tampered = Uint8Array.from(body);
  tampered[tampered.length - 1]! ^= 1;
  await assertRefused(await post(tampered, signEnvelope(secret, body)), /wrong signature/);
  await assertRefused(await post(body, signEnvelope(secret, body, Date.now() - 6 * MINUTE)), /stale signature: signed \d+ ms before/);
  await assertRefused(await post(body, signEnvelope(secret, body, Date.now() + 6 * MINUTE)), /stale signature: signed \d+ ms after/);

  assert.equal(await counter.get(), 0, 'no forged envelope ran its task');
  const signed = await post(body, signEnvelope(secret, body));
  assert.equal(signed.status, 200);
  assert.deepEqual(decode(new Uint8Array(await signed.arrayBuffer())), { ok: true, value: 1 });
  assert.equal(await counter.get(), 1, 'the signed envelope ran');
});

test('a replayed request gets 401 and runs nothing; the same envelope signed anew runs', async () => {
  const counter = new AtomicLong({ key: 'replayed-hits', forceNew: true }, 0);
  await counter.get();
  const body = incrementEnvelope(counter, 'replayed-1');
  const signature = signEnvelope(secret, body);
  assert.equal((await post(body, signature)).status, 200);
  assert.equal(await counter.get(), 1);

  await assertRefused(await post(body, signature), /replayed signature/);
  assert.equal(await counter.get(), 1, 'the replay did not run');
  assert.equal((await post(body, signEnvelope(secret, body))).status, 200, 'a new signature of the same bytes is a new request');
  assert.equal(await counter.get(), 2);
});

test('an app with the wrong secret: the thread fails with an AuthError and runs nothing', async () => {
  const counter = new AtomicLong({ key: 'wrong-secret-hits', forceNew: true }, 0);
  await counter.get();
  const ex = new ServerlessExecutor({ backend: 'http', url, secret: 'not-the-function-secret' });
  try {
    await assert.rejects(ex.submit(increment, counter), (err: unknown) => {
      assert.ok(err instanceof AuthError, String(err));
      assert.equal(err.code, 'EAUTH');
      assert.match(err.message, /was not run: .* refused the request \(HTTP 401: .*wrong signature.*SKEIN_FUNCTION_SECRET/);
      return true;
    });
  } finally {
    await ex.shutdown();
  }
  assert.equal(await counter.get(), 0);
  const right = new ServerlessExecutor({ backend: 'http', url, secret });
  try {
    assert.equal(await right.submit(increment, counter), 1);
  } finally {
    await right.shutdown();
  }
});

test('with no secret configured the handler and the backend refuse to start; insecureNoSignature serves unsigned envelopes, with a warning', async () => {
  const saved = process.env[SECRET_ENV];
  delete process.env[SECRET_ENV];
  try {
    assert.throws(() => nodeHandler(), (err: unknown) => err instanceof TypeError && /runs signed envelopes only: set SKEIN_FUNCTION_SECRET/.test(err.message));
    assert.throws(() => fetchHandler({ secret: 'short' }), (err: unknown) => err instanceof TypeError && /at least 16 characters/.test(err.message));
    assert.throws(
      () => new ServerlessExecutor({ backend: 'http', url }),
      (err: unknown) => err instanceof TypeError && /signs every envelope .*: set SKEIN_FUNCTION_SECRET/.test(err.message),
    );

    const warned = once(process, 'warning') as Promise<[Error & { code?: string }]>;
    const handle = fetchHandler({ insecureNoSignature: true });
    const [warning] = await warned;
    assert.equal(warning.code, 'SKEIN_INSECURE_FUNCTION');
    const body = encodeEnvelope({ v: 1, threadId: 'insecure-1', module: 'file:///elsewhere/tasks.ts', task: 'echo', arg: 'unsigned' });
    const ran = await handle(new Request('http://fn/', { method: 'POST', headers: { 'content-type': ENVELOPE_CONTENT_TYPE }, body: body as Uint8Array<ArrayBuffer> }));
    assert.equal(ran.status, 200);
    assert.deepEqual(decode(new Uint8Array(await ran.arrayBuffer())), { ok: true, value: 'unsigned' });

    // A secret, once configured, is checked even with insecureNoSignature.
    const checked = fetchHandler({ insecureNoSignature: true, secret });
    const refused = await checked(new Request('http://fn/', { method: 'POST', headers: { 'content-type': ENVELOPE_CONTENT_TYPE }, body: body as Uint8Array<ArrayBuffer> }));
    assert.equal(refused.status, 401);
  } finally {
    if (saved !== undefined) process.env[SECRET_ENV] = saved;
  }
});
