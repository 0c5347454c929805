import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { skein, waitForLine } from './support/node.ts';

let app: ChildProcess | undefined;
let worker = 0;
after(() => {
  if (app?.exitCode === null) app.kill('SIGKILL');
  if (worker) process.kill(worker, 'SIGKILL');
});

test('a worker process exits when the app that started it exits without stopping it', { timeout: 20_000 }, async () => {
  app = skein(['run', '--backend', 'process', 'test/fixtures/abrupt-exit-app.ts'], { SKEIN_DSO: undefined });
  // The worker shares the app's stdout, so the pipe closes only once the worker has exited too.
  const closed = once(app, 'close') as Promise<[number | null]>;
  worker = Number((await waitForLine(app, /^worker (\d+)$/m))[1]);
  assert.notEqual(worker, app.pid);
  const [code] = await closed;
  assert.equal(code, 0);
  worker = 0;
});
