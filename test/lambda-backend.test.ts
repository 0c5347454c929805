import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PayloadTooLargeError, RemoteError, ServerlessExecutor, TimeoutError, WorkerCrashedError } from '../src/index.ts';
import { deployLambda } from '../src/deploy/lambda-deploy.ts';
import { echo } from './fixtures/echo-tasks.ts';
import { overQuota } from './fixtures/failing-tasks.ts';
import { awaitForever } from './fixtures/hang-tasks.ts';
import { bigResult } from './fixtures/lambda-backend-app.ts';
import { LambdaEmulator } from './support/lambda-emulator.ts';
import { runSkein, stopSkeins, type TestNode } from './support/node.ts';
import { threadsNode } from './support/threads.ts';

// The real SDK, against the emulator: credentials and region it will not check.
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
Object.assign(process.env, AWS_ENV);

let emu: LambdaEmulator;
let t: TestNode;
before(async () => {
  emu = await LambdaEmulator.start({ concurrency: 4 });
  t = await threadsNode();
});
after(async () => {
  await stopSkeins();
  await emu.close();
  await t.close();
});

test('skein deploy lambda puts examples/montecarlo.ts in the emulator, and skein run runs it there through the lambda backend', { timeout: 120_000 }, async () => {
  const deployed = await runSkein(
    ['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'montecarlo', '--role', 'arn:aws:iam::123456789012:role/skein', '--endpoint', emu.endpoint, '--dso', t.url, '--timeout', '60'],
    AWS_ENV,
  );
  assert.equal(deployed.code, 0, deployed.stderr);
  assert.match(deployed.stdout, /arn:aws:lambda:us-east-1:\d+:function:montecarlo/);
  const run = await runSkein(
    ['run', 'examples/montecarlo.ts', '--backend', 'lambda', '--function', 'montecarlo', '--endpoint', emu.endpoint],
    { ...AWS_ENV, SAMPLES: '400000', THREADS: '4' },
  );
  assert.equal(run.code, 0, run.stderr);
  const pi = Number(/pi ~ ([\d.]+)/.exec(run.stdout)?.[1]);
  assert.ok(Math.abs(pi - Math.PI) < 0.05, `pi ~ ${pi}`);
  const stats = emu.stats('montecarlo');
  assert.equal(stats.coldStarts + stats.warmStarts, 4, 'one invocation per thread');
  assert.ok(stats.coldStarts >= 1);
  // Deploying again updates the code: the next invocations start cold on the new code.
  const again = await runSkein(['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'montecarlo', '--endpoint', emu.endpoint, '--dso', t.url], AWS_ENV);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /updat/i);
});

/** Deploys the test's own task modules as one function, as skein deploy would. */
async function deployFixtures(name: string, extra: { timeout?: number; concurrency?: number; entry?: string } = {}): Promise<void> {
  await deployLambda({
    entry: new URL(`./fixtures/${extra.entry ?? 'lambda-backend-app.ts'}`, import.meta.url).pathname,
    name,
    role: 'arn:aws:iam::123456789012:role/skein',
    dso: t.url,
    endpoint: emu.endpoint,
    timeoutSeconds: extra.timeout ?? 30,
    ...(extra.concurrency !== undefined ? { concurrency: extra.concurrency } : {}),
    progress: () => undefined,
  });
}

test('the lambda backend: results, a thread\'s own error as RemoteError, a timed-out function as TimeoutError, a 7 MB argument refused before sending, a 7 MB result as PayloadTooLargeError', { timeout: 120_000 }, async () => {
  await deployFixtures('fixtures', { timeout: 1 });
  const ex = new ServerlessExecutor({ backend: 'lambda', functionName: 'fixtures', endpoint: emu.endpoint });
  try {
    assert.deepEqual(await ex.submit(echo, { a: [1, 2, 3] }), { a: [1, 2, 3] });
    await assert.rejects(ex.submit(overQuota, 9), (err: unknown) => err instanceof RemoteError && err.remoteName === 'QuotaExceeded' && err.message === 'quota of 9 exceeded');
    await assert.rejects(ex.submit(awaitForever, null), (err: unknown) => err instanceof TimeoutError && /Task timed out after 1/.test(err.message));
    await assert.rejects(ex.submit(echo, 'x'.repeat(7 * 1024 * 1024)), PayloadTooLargeError);
    await assert.rejects(ex.submit(bigResult, 7 * 1024 * 1024), (err: unknown) => err instanceof PayloadTooLargeError && /result/.test(err.message));
  } finally {
    await ex.shutdown();
  }
  const missing = new ServerlessExecutor({ backend: 'lambda', functionName: 'not-deployed', endpoint: emu.endpoint });
  await assert.rejects(missing.submit(echo, 1), (err: unknown) => err instanceof WorkerCrashedError && /no Lambda function not-deployed/.test(err.message));
  await missing.shutdown();
});

test('throttled invocations (429 past the emulator\'s concurrency of 4) are retried until they run', { timeout: 120_000 }, async () => {
  await deployFixtures('crowd');
  // More threads in flight than the function may run at once: some are throttled, all finish.
  const ex = new ServerlessExecutor({ backend: 'lambda', functionName: 'crowd', endpoint: emu.endpoint, workers: 12 });
  try {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ex.submit(echo, i)));
    assert.deepEqual(results, Array.from({ length: 12 }, (_, i) => i));
    const stats = emu.stats('crowd');
    assert.ok(stats.throttled > 0, 'some invocations were throttled, then retried');
    assert.ok(stats.containers <= 4);
  } finally {
    await ex.shutdown();
  }
});

test('a function whose code fails to load answers every thread with a WorkerCrashedError naming Lambda\'s error', { timeout: 60_000 }, async () => {
  await deployFixtures('broken', { entry: 'lambda-broken-app.ts' });
  const ex = new ServerlessExecutor({ backend: 'lambda', functionName: 'broken', endpoint: emu.endpoint });
  try {
    await assert.rejects(ex.submit(echo, 1), (err: unknown) => {
      assert.ok(err instanceof WorkerCrashedError, String(err));
      assert.match(err.message, /failed in Lambda: .*the configuration file is missing/);
      return true;
    });
  } finally {
    await ex.shutdown();
  }
});
