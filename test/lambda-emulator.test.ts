import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { LambdaEmulator } from './support/lambda-emulator.ts';
import { zip } from '../src/deploy/zip.ts';

// One module, one export per behaviour; each function picks its export with Handler.
const HANDLERS = `
export const echo = async (event, context) => ({ event, name: context.functionName, greeting: process.env.GREETING, pid: process.pid });
export const fail = async () => { throw new TypeError('no good'); };
export const hang = () => new Promise(() => {});
export const gate = async (event) => { await fetch(event.gate); return 'released'; };
export const big = async () => 'A'.repeat(7_000_000);
`;

const code = (source: string): Uint8Array => zip([{ name: 'index.mjs', data: Buffer.from(source) }]);

let emulator: LambdaEmulator;
let lambda: LambdaClient;

before(async () => {
  emulator = await LambdaEmulator.start({ concurrency: 2 });
  // maxAttempts 1: the SDK would otherwise retry a 429 (a throttle) on its own.
  lambda = new LambdaClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
});

after(async () => {
  lambda.destroy();
  await emulator.close();
});

async function create(name: string, handler: string, extra: { Timeout?: number; Environment?: { Variables: Record<string, string> } } = {}): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/x', Handler: handler, Code: { ZipFile: code(HANDLERS) }, ...extra }));
}

/** An HTTP server that holds every request until the test answers it: what `index.gate` waits on. */
async function gateServer(): Promise<{ url: string; held: ServerResponse[]; server: Server }> {
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => held.push(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, held, server };
}

async function invoke(name: string, event: unknown): Promise<{ out: InvokeCommandOutput; payload: any }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  return { out, payload: JSON.parse(Buffer.from(out.Payload!).toString('utf8')) };
}

test('an invocation cold-starts a container, the next one reuses it warm', async () => {
  await create('echo', 'index.echo', { Environment: { Variables: { GREETING: 'hi' } } });
  const first = await invoke('echo', { n: 1 });
  assert.equal(first.out.StatusCode, 200);
  assert.equal(first.out.FunctionError, undefined);
  assert.deepEqual({ ...first.payload, pid: 0 }, { event: { n: 1 }, name: 'echo', greeting: 'hi', pid: 0 });
  const second = await invoke('echo', { n: 2 });
  assert.equal(second.payload.pid, first.payload.pid);
  assert.deepEqual(emulator.stats('echo'), { coldStarts: 1, warmStarts: 1, throttled: 0, requests: 2, containers: 1 });
});

test('GetFunction reports the function active with its code hash', async () => {
  const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
  assert.equal(got.Configuration?.State, 'Active');
  assert.equal(got.Configuration?.LastUpdateStatus, 'Successful');
  assert.equal(got.Configuration?.Handler, 'index.echo');
  assert.equal(got.Configuration?.Timeout, 3);
  assert.match(got.Configuration?.CodeSha256 ?? '', /^[A-Za-z0-9+/]{43}=$/);
});

test('UpdateFunctionCode retires the warm container: the next invocation runs the new code', async () => {
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: code(`export const echo = async () => 'v2';`) }));
  assert.deepEqual((await invoke('echo', {})).payload, 'v2');
  assert.deepEqual(emulator.stats('echo'), { coldStarts: 2, warmStarts: 1, throttled: 0, requests: 3, containers: 1 });
});

test('UpdateFunctionConfiguration retires the warm container: the next one has the new environment', async () => {
  await create('config', 'index.echo', { Environment: { Variables: { GREETING: 'hi' } } });
  assert.equal((await invoke('config', {})).payload.greeting, 'hi');
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'config', Environment: { Variables: { GREETING: 'hello' } } }));
  assert.equal((await invoke('config', {})).payload.greeting, 'hello');
  assert.deepEqual(emulator.stats('config'), { coldStarts: 2, warmStarts: 0, throttled: 0, requests: 2, containers: 1 });
});

test('a handler the module does not export fails the init phase: a function error, no container kept', async () => {
  await create('nothing', 'index.nothing');
  const { out, payload } = await invoke('nothing', {});
  assert.equal(out.FunctionError, 'Unhandled');
  assert.equal(payload.errorType, 'Runtime.HandlerNotFound');
  assert.equal(emulator.stats('nothing').containers, 0);
});

test('a thrown error is a function error with the type, message and trace', async () => {
  await create('fail', 'index.fail');
  const { out, payload } = await invoke('fail', {});
  assert.equal(out.StatusCode, 200);
  assert.equal(out.FunctionError, 'Unhandled');
  assert.equal(payload.errorType, 'TypeError');
  assert.equal(payload.errorMessage, 'no good');
  assert.equal(payload.trace[0], 'TypeError: no good');
});

test('an invocation past the timeout is a function error and its container is killed', async () => {
  await create('hang', 'index.hang', { Timeout: 1 });
  const { out, payload } = await invoke('hang', {});
  assert.equal(out.FunctionError, 'Unhandled');
  assert.match(payload.errorMessage, /Task timed out after 1\.00 seconds$/);
  assert.equal(emulator.stats('hang').containers, 0);
});

test('a response over 6 MB is a function error (ResponseSizeTooLarge)', async () => {
  await create('big', 'index.big');
  const { out, payload } = await invoke('big', {});
  assert.equal(out.FunctionError, 'Unhandled');
  assert.equal(payload.errorType, 'Function.ResponseSizeTooLarge');
});

test('more invocations than the concurrency limit answer TooManyRequestsException', async () => {
  const { url, held, server: gate } = await gateServer();
  try {
    await create('gate', 'index.gate');
    const running = [invoke('gate', { gate: url }), invoke('gate', { gate: url })];
    while (held.length < 2) await once(gate, 'request');
    const err = await lambda.send(new InvokeCommand({ FunctionName: 'gate', Payload: Buffer.from(JSON.stringify({ gate: url })) })).then(
      () => assert.fail('a third invocation ran'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TooManyRequestsException, String(err));
    assert.equal(err.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    for (const res of held) res.end('go');
    for (const r of await Promise.all(running)) assert.equal(r.payload, 'released');
    assert.deepEqual(emulator.stats('gate'), { coldStarts: 2, warmStarts: 0, throttled: 1, requests: 3, containers: 2 });
  } finally {
    gate.close();
  }
});

// Lambda answers an error its API model does not list: the SDK raises its base exception by that name.
test('a request payload over 6 MB answers 413 RequestEntityTooLargeException', async () => {
  const payload = Buffer.from(JSON.stringify('x'.repeat(7 * 1024 * 1024)));
  await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload })), (err: any) => {
    assert.equal(err.name, 'RequestEntityTooLargeException');
    assert.equal(err.$metadata.httpStatusCode, 413);
    assert.match(err.message, /smaller than 6291456 bytes/);
    return true;
  });
});

test('an unknown function answers ResourceNotFoundException', async () => {
  await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'nobody', Payload: Buffer.from('{}') })), ResourceNotFoundException);
  await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'nobody' })), ResourceNotFoundException);
});

test('throttle(name, n) refuses the next n invocations with 429 whatever the concurrency; requests counts them', async () => {
  await create('throttled', 'index.echo');
  emulator.throttle('throttled', 2);
  for (let i = 0; i < 2; i++) await assert.rejects(invoke('throttled', {}), TooManyRequestsException);
  assert.equal((await invoke('throttled', { n: 3 })).payload.event.n, 3);
  assert.deepEqual(emulator.stats('throttled'), { coldStarts: 1, warmStarts: 0, throttled: 2, requests: 3, containers: 1 });
});

test('cutNext resets the caller\'s connection once the function started; the function runs on to its end, once', async () => {
  const { url, held, server: gate } = await gateServer();
  try {
    await create('cut', 'index.gate');
    const finished = emulator.cutNext('cut');
    const reset = invoke('cut', { gate: url }).then(
      () => assert.fail('the invocation answered'),
      (e: unknown) => e,
    );
    // The function is running: it waits at the gate while its caller has lost the connection.
    if (held.length === 0) await once(gate, 'request');
    const err = (await reset) as NodeJS.ErrnoException;
    assert.equal(err.code, 'ECONNRESET', String(err));
    held[0]!.end('go');
    await finished;
    assert.equal(held.length, 1, 'the function ran once');
    assert.deepEqual(emulator.stats('cut'), { coldStarts: 1, warmStarts: 0, throttled: 0, requests: 1, containers: 1 });
    // The next invocation is not cut.
    const next = invoke('cut', { gate: url });
    while (held.length < 2) await once(gate, 'request');
    held[1]!.end('go');
    assert.equal((await next).payload, 'released');
  } finally {
    gate.close();
  }
});
