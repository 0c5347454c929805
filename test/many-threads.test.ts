import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { configureRuntime, shutdownRuntime } from '../src/index.ts';
import { square } from './fixtures/square-task.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

const THREADS = 500;

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

for (const backend of BACKENDS) {
  test(`${THREADS} threads on 2 ${backend} workers all complete with their own results`, async () => {
    configureRuntime({ backend, workers: 2 });
    try {
      const handles = Array.from({ length: THREADS }, (_, n) => square.spawn(n));
      assert.equal(new Set(handles.map((h) => h.id)).size, THREADS);
      const results = await Promise.all(handles.map((h) => h.join()));
      assert.deepEqual(
        results.map((r) => r.square),
        Array.from({ length: THREADS }, (_, n) => n * n),
      );
      const workers = new Set(results.map((r) => r.worker));
      assert.equal(workers.size, 2, `threads ran on ${[...workers].join(', ')}`);
      assert.ok(!workers.has(`${process.pid}/0`), 'no thread ran on the main thread of the test');
    } finally {
      await shutdownRuntime();
    }
  });
}
