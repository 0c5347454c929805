import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_FORGOTTEN_MS, APPS_KEPT, listApps, pruneApps, publishApp, type AppStatus } from '../src/client/apps.ts';
import { DEFAULT_CACHE_BYTES } from '../src/client/lattice-cache.ts';
import { GSet } from '../src/index.ts';
import { reportApp } from '../src/runtime/app-report.ts';
import { pollUntil } from './support/poll.ts';
import { testNode } from './support/node.ts';

function app(id: string, at: number, outcome: AppStatus['outcome']): AppStatus {
  return {
    id,
    program: `${id}.ts`,
    host: 'h',
    pid: 1,
    started: at,
    updated: at,
    finished: outcome === 'running' ? null : at,
    outcome,
    threads: { running: 0, done: 0, failed: 0 },
  };
}

test('reading the registry of apps never creates it; what is published reads back newest first', async (t) => {
  const node = await testNode({}, t.signal);
  t.after(() => node.close());
  const client = await node.client();
  assert.deepEqual(await listApps(client), []);
  assert.equal(node.node.objectCount(), 0, 'a dashboard looking must not create objects');
  await publishApp(client, app('old', 1000, 'ok'));
  await publishApp(client, app('new', 2000, 'running'));
  assert.deepEqual((await listApps(client)).map((a) => a.id), ['new', 'old']);
  await publishApp(client, { ...app('new', 2000, 'failed'), updated: 3000 });
  assert.deepEqual((await listApps(client)).map((a) => [a.id, a.outcome]), [['new', 'failed'], ['old', 'ok']]);
});

test('pruning keeps the newest finished apps and removes apps silent for a day', async (t) => {
  const node = await testNode({}, t.signal);
  t.after(() => node.close());
  const client = await node.client();
  const now = 10 * APP_FORGOTTEN_MS;
  for (let i = 0; i < APPS_KEPT + 5; i++) await publishApp(client, app(`done-${String(i).padStart(2, '0')}`, now - 1000 + i, 'ok'));
  await publishApp(client, app('running', now - 10, 'running'));
  await publishApp(client, app('died', now - APP_FORGOTTEN_MS - 1, 'running'));
  assert.equal(await pruneApps(client, now), 6);
  const ids = (await listApps(client)).map((a) => a.id);
  assert.equal(ids.length, APPS_KEPT + 1);
  assert.ok(ids.includes('running'));
  assert.ok(!ids.includes('died'));
  for (let i = 0; i < 5; i++) assert.ok(!ids.includes(`done-0${i}`), `the oldest finished go: done-0${i}`);
});

test('a program reports itself at once, and its outcome and its client\'s cache at the end', async (t) => {
  const node = await testNode({}, t.signal);
  t.after(() => node.close());
  const client = await node.client();
  const report = reportApp(client, 'examples/x.ts', 60_000);
  const [running] = await pollUntil(() => listApps(client), (apps) => apps.length === 1);
  assert.equal(running?.program, 'examples/x.ts');
  assert.equal(running?.outcome, 'running');
  assert.equal(running?.pid, process.pid);
  assert.equal(running?.finished, null);
  assert.equal(running?.cache?.keys, 0, 'nothing cached yet');
  const seen = new GSet<string>({ key: 'x:seen', client });
  await seen.add('a', 'b');
  assert.equal(await seen.size(), 2);
  await client.flushWrites();
  await report.finish('failed');
  const [ended] = await listApps(client);
  assert.equal(ended?.id, running?.id);
  assert.equal(ended?.outcome, 'failed');
  assert.ok(ended!.finished! >= ended!.started);
  const { bytes, pushes, ...counts } = ended!.cache!;
  assert.deepEqual(counts, { keys: 1, maxBytes: DEFAULT_CACHE_BYTES, hits: 1, misses: 0, writes: 1, unflushed: 0, evictions: 0 });
  assert.ok(bytes > 0, 'the key takes room');
  assert.ok(pushes <= 1, `at most the node's answer to its own write, got ${pushes}`);
});
