import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { AtomicLong, configureRuntime, DagNodeError, PayloadTooLargeError, RemoteError, ServerlessExecutor, TimeoutError, WorkerCrashedError } from '../src/index.ts';
import { deployLambda } from '../src/deploy/lambda-deploy.ts';
import { LambdaBackend } from '../src/runtime/backends/lambda.ts';
import { echo, increment } from './fixtures/echo-tasks.ts';
import { overQuota } from './fixtures/failing-tasks.ts';
import { awaitForever } from './fixtures/hang-tasks.ts';
import { fanOut } from './fixtures/invocation-tasks.ts';
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
  await deployFixtures('fixtures');
  // Only the function that must time out gets a 1 s limit: on a loaded machine a 7 MB result can take longer.
  await deployFixtures('fixtures-short', { timeout: 1 });
  const ex = new ServerlessExecutor({ backend: 'lambda', functionName: 'fixtures', endpoint: emu.endpoint });
  const short = new ServerlessExecutor({ backend: 'lambda', functionName: 'fixtures-short', endpoint: emu.endpoint });
  try {
    assert.deepEqual(await ex.submit(echo, { a: [1, 2, 3] }), { a: [1, 2, 3] });
    await assert.rejects(ex.submit(overQuota, 9), (err: unknown) => err instanceof RemoteError && err.remoteName === 'QuotaExceeded' && err.message === 'quota of 9 exceeded');
    await assert.rejects(short.submit(awaitForever, null), (err: unknown) => err instanceof TimeoutError && /Task timed out after 1/.test(err.message));
    await assert.rejects(ex.submit(echo, 'x'.repeat(7 * 1024 * 1024)), PayloadTooLargeError);
    await assert.rejects(ex.submit(bigResult, 7 * 1024 * 1024), (err: unknown) => err instanceof PayloadTooLargeError && /result/.test(err.message));
  } finally {
    await Promise.all([ex.shutdown(), short.shutdown()]);
  }
  const missing = new ServerlessExecutor({ backend: 'lambda', functionName: 'not-deployed', endpoint: emu.endpoint });
  await assert.rejects(missing.submit(echo, 1), (err: unknown) => err instanceof WorkerCrashedError && /no Lambda function not-deployed/.test(err.message));
  await missing.shutdown();
});

test('a DAG 1 -> 3 -> 1 on the lambda backend: the function invokes itself for the middle nodes (three containers at once); a node that throws fails the run', { timeout: 120_000 }, async () => {
  await deployFixtures('dag-fan');
  configureRuntime({ backend: 'lambda', functionName: 'dag-fan', endpoint: emu.endpoint });
  const d = fanOut('fan-lambda');
  const parts = await d.call(1);
  assert.deepEqual(
    parts.map((p) => p.split('@')[0]),
    ['x', 'y', 'z'],
  );
  // A container runs one invocation at a time: three processes, three invocations.
  const pids = parts.map((p) => p.split('@')[1]!.split('/')[0]);
  assert.equal(new Set(pids).size, 3, `the middle nodes ran in ${pids.join(', ')}`);
  assert.equal(emu.stats('dag-fan').requests, 3, 'the caller invoked the source; the function invoked it twice more');

  const failing = fanOut('fan-lambda-fails', true);
  await assert.rejects(failing.call(1), (err: unknown) => {
    assert.ok(err instanceof DagNodeError, String(err));
    assert.equal(err.node, 'bad');
    assert.ok(err.cause instanceof RemoteError);
    assert.equal(err.cause.remoteName, 'RangeError');
    assert.match(err.cause.message, /boom on 2/);
    return true;
  });
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

test('a connection cut while the function runs fails the thread with a WorkerCrashedError saying it may have run; it is not sent again', { timeout: 60_000 }, async () => {
  await deployFixtures('cut');
  const counter = new AtomicLong({ key: 'lambda-cut' }, 0);
  await counter.get();
  const ex = new ServerlessExecutor({ backend: 'lambda', functionName: 'cut', endpoint: emu.endpoint });
  try {
    const finished = emu.cutNext('cut');
    await assert.rejects(ex.submit(increment, counter), (err: unknown) => {
      assert.ok(err instanceof WorkerCrashedError, String(err));
      assert.match(err.message, /unknown whether thread \S+ ran on cut: the connection failed after the invocation was sent \(ECONNRESET: .*\); it may have run, in part or to the end; it was not sent again/);
      return true;
    });
    // The function runs on after its caller lost the connection; once it is done, count its runs.
    await finished;
    assert.equal(await counter.get(), 1, 'the thread ran once');
    assert.equal(emu.stats('cut').requests, 1, 'one Invoke request');
  } finally {
    await ex.shutdown();
  }
});

test("throttling is retried by the backend's policy alone: throttleRetries 2 makes 3 requests, not 3 for each of the SDK's attempts", { timeout: 60_000 }, async () => {
  await deployFixtures('throttled');
  // The SDK's own setting, which would otherwise give it 5 attempts per invocation.
  const saved = process.env.AWS_MAX_ATTEMPTS;
  process.env.AWS_MAX_ATTEMPTS = '5';
  const ex = new ServerlessExecutor({ backend: new LambdaBackend({ functionName: 'throttled', endpoint: emu.endpoint, throttleRetries: 2 }) });
  try {
    emu.throttle('throttled', 2);
    assert.equal(await ex.submit(echo, 'ran'), 'ran');
    assert.deepEqual(emu.stats('throttled'), { coldStarts: 1, warmStarts: 0, throttled: 2, requests: 3, containers: 1 });
    emu.throttle('throttled', 100);
    await assert.rejects(ex.submit(echo, 'never'), (err: unknown) => err instanceof WorkerCrashedError && /stayed throttled \(429\) through 2 retries/.test(err.message));
    assert.equal(emu.stats('throttled').requests, 6, 'one request and 2 retries');
  } finally {
    emu.throttle('throttled', 0);
    if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
    else process.env.AWS_MAX_ATTEMPTS = saved;
    await ex.shutdown();
  }
});

test('a refused connection proves the function did not run: it is retried, then the thread fails as not started', { timeout: 60_000 }, async () => {
  // Nothing listens on port 1; count the connections refused there.
  let refused = 0;
  const onSocket = ({ socket }: { socket: Socket }): void => {
    socket.once('error', (e: NodeJS.ErrnoException & { port?: number }) => {
      if (e.code === 'ECONNREFUSED' && e.port === 1) refused++;
    });
  };
  diagnostics.subscribe('net.client.socket', onSocket as (message: unknown) => void);
  const ex = new ServerlessExecutor({ backend: new LambdaBackend({ functionName: 'nowhere', endpoint: 'http://127.0.0.1:1', throttleRetries: 2 }) });
  try {
    await assert.rejects(ex.submit(echo, 1), (err: unknown) => {
      assert.ok(err instanceof WorkerCrashedError, String(err));
      assert.match(err.message, /thread \S+ was not started: .*ECONNREFUSED.* through 2 retries/);
      return true;
    });
    assert.equal(refused, 3, 'one attempt and 2 retries');
  } finally {
    diagnostics.unsubscribe('net.client.socket', onSocket as (message: unknown) => void);
    await ex.shutdown();
  }
});

test("clientConfig cannot bring the SDK's retries back: maxAttempts other than 1, retryMode or retryStrategy is a TypeError", () => {
  assert.throws(() => new LambdaBackend({ functionName: 'f', clientConfig: { maxAttempts: 3 } }), /owns retries/);
  assert.throws(() => new LambdaBackend({ functionName: 'f', clientConfig: { retryMode: 'adaptive' } }), /owns retries/);
  assert.throws(() => new LambdaBackend({ functionName: 'f', clientConfig: { retryStrategy: {} as NonNullable<LambdaClientConfig['retryStrategy']> } }), /owns retries/);
  assert.doesNotThrow(() => new LambdaBackend({ functionName: 'f', clientConfig: { maxAttempts: 1 } }));
});
