import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { configureRuntime, TimeoutError } from '../src/index.ts';
import { awaitForever, blockForever, whoami } from './fixtures/hang-tasks.ts';
import { threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

// Cold starts do not count against it (the clock starts once a process has booted), so only the
// hanging threads reach it, however loaded the machine.
const TIMEOUT_MS = 2000;

let t: TestNode;
before(async () => {
  t = await threadsNode();
  configureRuntime({ backend: 'process', workers: 2, timeoutMs: TIMEOUT_MS });
});
after(() => t.close());

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a thread past timeoutMs rejects with TimeoutError; its process is killed and the next thread gets a fresh one', async () => {
  const warm = await Promise.all([whoami.run(), whoami.run()]);
  assert.equal(new Set(warm).size, 2);

  // Both warm processes are idle, so the two hanging threads run on them.
  for (const result of await Promise.allSettled([awaitForever.run(), blockForever.run()])) {
    assert.equal(result.status, 'rejected');
    assert.ok(result.reason instanceof TimeoutError, String(result.reason));
    assert.equal(result.reason.code, 'ETIMEOUT');
    assert.match(result.reason.message, new RegExp(`longer than ${TIMEOUT_MS} ms`));
  }

  const fresh = await Promise.all([whoami.run(), whoami.run()]);
  for (const pid of fresh) assert.ok(!warm.includes(pid), `thread ran in process ${pid}, which had timed out`);
  for (const pid of warm) assert.ok(!isAlive(pid), `process ${pid} is still running`);
});
