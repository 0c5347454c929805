import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { InvalidCallError, RemoteError, connect, sharedClass } from '../src/index.ts';
import { BoundedBuffer, Ledger, Sneaky } from './fixtures/shared-classes.ts';
import { exited, output, skein, stopChild, testNode, waitForLine } from './support/node.ts';

const running = new Set<ChildProcess>();
after(async () => {
  for (const child of running) await stopChild(child);
});

function start(args: string[]): ChildProcess {
  const child = skein(args, { SKEIN_DSO: undefined, SKEIN_TOKEN: undefined });
  running.add(child);
  return child;
}

/** Runs a skein command to its end. */
async function finish(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = start(args);
  const out = output(child);
  const [code] = (await once(child, 'close')) as [number | null];
  running.delete(child);
  return { code, ...out };
}

/** Known to this process only: no node loads it. */
const NotServed = sharedClass('LoadingTest.NotServed', class { ping(): string { return 'pong'; } });

test('skein dso --objects serves the classes a module defines to a client in another process', { timeout: 30_000 }, async () => {
  // Given twice: the second import registers nothing new, but the module does export classes.
  const objects = ['--objects', 'test/fixtures/shared-classes.ts', '--objects', 'test/fixtures/shared-classes.ts'];
  const child = start(['dso', '--port', '0', '--log-level', 'silent', ...objects]);
  const [, url] = (await waitForLine(child, /listening on (skein:\/\/\S+)/)) as [string, string];
  const [producer, consumer] = [await connect({ url }), await connect({ url })];
  try {
    const put = new BoundedBuffer({ key: 'b', client: producer }, 1);
    const take = new BoundedBuffer({ key: 'b', client: consumer }, 1);
    assert.equal(await put.put('one'), 1);
    const parked = put.put('two');
    assert.equal(await take.take(), 'one');
    assert.equal(await parked, 1);
    assert.equal(await take.take(), 'two');

    const ledger = new Ledger({ key: 'l', client: producer });
    await ledger.open('a', 1);
    await assert.rejects(ledger.transfer('a', 'b', 2), (err: unknown) => err instanceof RemoteError && err.remoteName === 'OverdraftError');
    assert.deepEqual(((await ledger.state()) as { balances: unknown }).balances, [['a', 1]]);

    // A method whose Promise rejects later must not take the node's process down.
    await assert.rejects(new Sneaky({ key: 's', client: producer }).failLater(), { remoteName: 'TypeError' });
    await assert.rejects(new NotServed({ key: 'n', client: producer }).ping(), (err: unknown) => {
      assert.ok(err instanceof InvalidCallError && err.code === 'EUNKNOWN_TYPE', String(err));
      assert.match(err.message, /'LoadingTest\.NotServed'.*--objects/);
      return true;
    });
    await consumer.ping();
    assert.equal(child.exitCode, null, 'the node is still running');
    await producer.close();
    await consumer.close();
    child.kill('SIGTERM');
    assert.deepEqual(await exited(child), { code: 0, signal: null });
  } finally {
    await producer.close();
    await consumer.close();
    await stopChild(child);
    running.delete(child);
  }
});

test('--objects with a missing module, or one that registers no class, exits 2', { timeout: 30_000 }, async () => {
  const [missing, plain] = await Promise.all([
    finish(['dso', '--port', '0', '--objects', 'test/fixtures/not-there.ts']),
    finish(['dso', '--port', '0', '--objects', 'test/fixtures/plain-classes.ts']),
  ]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--objects: no such module test\/fixtures\/not-there\.ts/);
  assert.equal(plain.code, 2, plain.stderr);
  assert.match(plain.stderr, /--objects test\/fixtures\/plain-classes\.ts registers no shared class \(define them with sharedClass/);
  assert.doesNotMatch(missing.stdout + plain.stdout, /listening/);
});

test('skein run: the embedded node serves the app\'s own class to its cloud threads, which block on it', { timeout: 30_000 }, async () => {
  const squares = Array.from({ length: 100 }, (_, i) => i * i);
  const buckets = new Array<number>(10).fill(0);
  for (const s of squares) buckets[s % 10]!++;
  const runs = await Promise.all([
    finish(['run', '--workers', '4', 'test/fixtures/histogram-app.ts']),
    finish(['run', '--backend', 'process', '--workers', '4', 'test/fixtures/histogram-app.ts']),
  ]);
  for (const run of runs) {
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { buckets, seen: [buckets, buckets, buckets, buckets] });
  }
});

test("startNode({ objects: 'registered' }) serves classes registered after it started, and no others", async () => {
  const t = await testNode({ objects: 'registered' });
  try {
    const client = await t.client();
    const Late = sharedClass('LoadingTest.Late', class { n = 0; add(k: number): number { return (this.n += k); } });
    assert.equal(await new Late({ key: 'late', client }).add(2), 2);
    assert.equal(await new BoundedBuffer({ key: 'b', client }, 1).put(1), 1, 'and those registered before');
    await assert.rejects(client.call({ type: 'Unregistered', key: 'u', init: [], forceNew: false, initSent: false }, 'x', []), {
      code: 'EUNKNOWN_TYPE',
    });
  } finally {
    await t.close();
  }
});
