import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudPool, configureRuntime, RemoteError, shutdownRuntime } from '../src/index.ts';
import { defineLate, overQuota, waitsTooLong } from './fixtures/failing-tasks.ts';
import { misplaced } from './fixtures/misplaced-task.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));
    after(() => shutdownRuntime());

    test("a thread that throws rejects join() with the thread's name, message and stack", async () => {
      const err = await overQuota.spawn(7).join().then(
        () => assert.fail('join() resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof RemoteError);
      assert.equal(err.code, 'EREMOTE');
      assert.equal(err.remoteName, 'QuotaExceeded');
      assert.equal(err.message, 'quota of 7 exceeded');
      assert.match(err.remoteStack ?? '', /^QuotaExceeded: quota of 7 exceeded/);
      assert.match(err.remoteStack ?? '', /fixtures\/failing-tasks\.ts/);
    });

    test("a thread's error code reaches the caller as remoteCode", async () => {
      await assert.rejects(waitsTooLong.run(`never-open-${backend}`), (err: unknown) => {
        assert.ok(err instanceof RemoteError);
        assert.equal(err.remoteName, 'TimeoutError');
        assert.equal(err.remoteCode, 'ETIMEOUT');
        return true;
      });
    });

    test('a task its module does not define is reported by name and module', async () => {
      await assert.rejects(misplaced.run(undefined), (err: unknown) => {
        assert.ok(err instanceof RemoteError);
        assert.match(err.message, /task 'misplaced' is not defined in .*no-exports\.mjs/);
        return true;
      });
    });

    test('a task defined below the top level is not found, with advice', async () => {
      const late = defineLate();
      await assert.rejects(late.run(undefined), (err: unknown) => {
        assert.ok(err instanceof RemoteError);
        assert.match(err.message, /task 'definedLate' is not defined in .*failing-tasks\.ts/);
        assert.match(err.message, /top level/);
        return true;
      });
    });

    test('a worker file without the named export is reported by export and file', async () => {
      const pool = new CloudPool({ filename: new URL('./fixtures/no-exports.mjs', import.meta.url).href, backend });
      try {
        await assert.rejects(pool.run(1), (err: unknown) => {
          assert.ok(err instanceof RemoteError);
          assert.match(err.message, /no-exports\.mjs has no exported function 'default'/);
          return true;
        });
        await assert.rejects(pool.run(1, { name: 'answer' }), /no-exports\.mjs has no exported function 'answer'/);
      } finally {
        await pool.destroy();
      }
    });

    test('a worker file that does not exist is reported with its path', async () => {
      const pool = new CloudPool({ filename: new URL('./fixtures/not-there.mjs', import.meta.url).href, backend });
      try {
        await assert.rejects(pool.run(1), (err: unknown) => {
          assert.ok(err instanceof RemoteError);
          assert.match(err.message, /not-there\.mjs/);
          return true;
        });
      } finally {
        await pool.destroy();
      }
    });
  });
}
