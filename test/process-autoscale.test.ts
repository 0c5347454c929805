import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { configureRuntime, defaultClient } from '../src/index.ts';
import { listApps } from '../src/client/apps.ts';
import { reportApp } from '../src/runtime/app-report.ts';
import { ProcessBackend } from '../src/runtime/backends/process.ts';
import { createBackend, prestartRuntime, runtimeBackend } from '../src/runtime/runtime.ts';
import { together } from './fixtures/autoscale-tasks.ts';
import { pollUntil } from './support/poll.ts';
import { runSkein, type TestNode } from './support/node.ts';
import { threadsNode } from './support/threads.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

test('the process backend adds processes while threads queue, retires idle ones down to minWorkers, and reuses the warm one', async () => {
  configureRuntime({ backend: 'process', workers: 3, minWorkers: 1, idleMs: 200 });
  prestartRuntime();
  const backend = runtimeBackend() as ProcessBackend;
  assert.equal(backend.stats().workers, 1, 'minWorkers started at once');
  const pids = await Promise.all([0, 1, 2].map(() => together.run({ key: 'autoscale.latch', parties: 3 })));
  assert.equal(new Set(pids).size, 3, 'three threads at once ran in three processes');
  assert.equal(backend.stats().started, 3);
  // The two processes beyond minWorkers are retired once idle (some may be already); the third stays warm.
  while (backend.stats().retired < 2) await once(backend.events, 'retire');
  const shrunk = backend.stats();
  assert.deepEqual({ workers: shrunk.workers, idle: shrunk.idle, retired: shrunk.retired }, { workers: 1, idle: 1, retired: 2 });
  const pid = await together.run({ key: 'autoscale.latch-one', parties: 1 });
  assert.ok(pids.includes(pid), 'the warm process ran it');
  assert.equal(backend.stats().started, 3, 'no process was started for it');
});

test('skein inspect shows an app\'s worker processes', async () => {
  configureRuntime({ backend: 'process', workers: 2, minWorkers: 2, idleMs: 60_000 });
  prestartRuntime();
  const report = reportApp(defaultClient(), 'autoscale-app.ts', 50);
  try {
    await pollUntil(() => listApps(defaultClient()), (apps) => apps.some((a) => a.program === 'autoscale-app.ts' && a.workers?.workers === 2));
    const out = await runSkein(['inspect', '--dso', t.url]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /apps running: 1/);
    assert.match(out.stdout, /autoscale-app\.ts \(pid \d+ on .+\): threads 0 running/);
    assert.match(out.stdout, /process workers: 2 \(0 busy, 2 idle\), 0 thread\(s\) queued; min 2, max 2; started 2, retired 0/);
  } finally {
    await report.finish('ok');
  }
});

test('bad bounds are refused when the backend is made', () => {
  assert.throws(() => createBackend({ backend: 'process', workers: 2, minWorkers: 3 }), /minWorkers must be an integer from 0 to workers \(2\)/);
  assert.throws(() => createBackend({ backend: 'process', idleMs: 0 }), /idleMs must be > 0/);
  assert.throws(() => createBackend({ backend: 'local', minWorkers: 1 }), /apply to the process backend/);
});
