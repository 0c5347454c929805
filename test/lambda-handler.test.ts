import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import { decodeThreadResult, encodeEnvelope, ENVELOPE_VERSION, type Envelope, type ThreadResult } from '../src/runtime/envelope.ts';
import { LambdaEmulator } from './support/lambda-emulator.ts';
import { zip } from '../src/deploy/zip.ts';

let emulator: LambdaEmulator;
let lambda: LambdaClient;

// The function is one bundle of the app's entry with Skein inside, as `skein deploy lambda` makes it.
before(async () => {
  emulator = await LambdaEmulator.start();
  lambda = new LambdaClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const bundle = await build({
    entryPoints: [new URL('./fixtures/lambda-app.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'skein',
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::000000000000:role/x',
      Handler: 'index.handler',
      Code: { ZipFile: zip([{ name: 'index.mjs', data: bundle.outputFiles[0]!.contents }]) },
      Environment: { Variables: {} },
    }),
  );
});

after(async () => {
  lambda.destroy();
  await emulator.close();
});

async function invoke(event: unknown): Promise<{ functionError: string | undefined; payload: any }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'skein', Payload: Buffer.from(JSON.stringify(event)) }));
  return { functionError: out.FunctionError, payload: JSON.parse(Buffer.from(out.Payload!).toString('utf8')) };
}

/** Runs `what` through the handler as the lambda backend would, and decodes the outcome. */
async function run(what: Pick<Envelope, 'task' | 'export' | 'arg'>): Promise<ThreadResult> {
  // The module is a file of the spawning machine: the bundled handler must not import it.
  const env: Envelope = { v: ENVELOPE_VERSION, threadId: 'test-1', module: 'file:///spawner/app.ts', ...what };
  const { functionError, payload } = await invoke({ skein: 1, envelope: Buffer.from(encodeEnvelope(env)).toString('base64') });
  assert.equal(functionError, undefined);
  return decodeThreadResult(Buffer.from(payload.outcome, 'base64'));
}

test('the handler runs a task registered by the bundle and answers its outcome', async () => {
  assert.deepEqual(await run({ task: 'double', arg: 21 }), { ok: true, value: 42 });
  assert.deepEqual(await run({ task: 'double', arg: 5 }), { ok: true, value: 10 });
  assert.deepEqual(emulator.stats('skein'), { coldStarts: 1, warmStarts: 1, throttled: 0, requests: 2, containers: 1 });
});

test('a task the bundle does not define is a final failure', async () => {
  const outcome = await run({ task: 'missing', arg: null });
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && outcome.final);
  assert.match(!outcome.ok ? outcome.message : '', /task 'missing' is not defined in this bundle/);
});

test('an export-style envelope (CloudPool) is refused in a bundle', async () => {
  const outcome = await run({ export: 'square', arg: 3 });
  assert.ok(!outcome.ok && outcome.final);
  assert.match(!outcome.ok ? outcome.message : '', /runs tasks only.*'square'/);
});

test('an event that is not a Skein invocation is a function error', async () => {
  const { functionError, payload } = await invoke({ hello: 'world' });
  assert.equal(functionError, 'Unhandled');
  assert.equal(payload.errorType, 'TypeError');
  assert.match(payload.errorMessage, /not a Skein invocation event/);
});
