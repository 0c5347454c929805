import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { AtomicLong, connect, ConnectionClosedError, SharedFuture, type Client } from '../src/index.ts';
import { exited, output, ROOT, skein, stopChild, waitForLine } from './support/node.ts';

const TOKEN = 'two-processes';
const INCREMENTS = 200;

/** Runs the counter worker fixture as a separate Node process pointed at `url`. */
function worker(url: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/counter-worker.ts', String(INCREMENTS), '2'], {
    cwd: ROOT,
    env: { ...process.env, SKEIN_DSO: url, SKEIN_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('two client processes share a counter and a barrier through `skein dso`, which stops cleanly on SIGTERM', async () => {
  const node = skein(['dso', '--port', '0', '--token', TOKEN, '--log-level', 'silent']);
  const workers: ChildProcess[] = [];
  let client: Client | undefined;
  try {
    const [, url] = await waitForLine(node, /listening on (skein:\/\/\S+)/);
    workers.push(worker(url!), worker(url!));
    const outputs = workers.map(output);
    const exits = await Promise.all(workers.map(exited));
    for (const [i, e] of exits.entries()) {
      assert.deepEqual(e, { code: 0, signal: null }, `worker ${i} failed: ${outputs[i]!.stderr}`);
    }
    const reports = outputs.map((o) => JSON.parse(o.stdout) as { arrival: number; total: number });
    // Both finished their increments before the barrier opened, so both read the final total.
    assert.deepEqual(reports.map((r) => r.total), [2 * INCREMENTS, 2 * INCREMENTS]);
    assert.deepEqual(reports.map((r) => r.arrival).sort(), [0, 1]);

    client = await connect({ url: url!, token: TOKEN });
    assert.equal(await new AtomicLong({ key: 'shared-counter', client }).get(), 2 * INCREMENTS);

    // A call parked at shutdown is answered with ECLOSED (not applied), not dropped.
    const parked = assert.rejects(new SharedFuture({ key: 'never-set', client }).get(), (err: unknown) => {
      assert.ok(err instanceof ConnectionClosedError);
      assert.equal(err.code, 'ECLOSED');
      assert.match(err.message, /shutting down; the call was not applied/);
      return true;
    });
    await client.ping(); // the get is parked on the node now
    node.kill('SIGTERM');
    await parked;
    assert.deepEqual(await exited(node), { code: 0, signal: null });
  } finally {
    await client?.close();
    for (const w of workers) await stopChild(w);
    await stopChild(node);
  }
});
