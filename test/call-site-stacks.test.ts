import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, configureRuntime, connect, ConnectionClosedError, createClient, RemoteError, SharedList } from '../src/index.ts';
import { overQuota } from './fixtures/failing-tasks.ts';
import { freePort } from './support/node.ts';
import { threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => {
  t = await threadsNode();
  configureRuntime({ backend: 'local', workers: 1 });
});
after(() => t.close());

/** What `fn` rejects with, awaited as a person would await a call. */
async function caught(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  assert.fail('it resolved');
}

test("with callSites, a RemoteError from an object's method shows the caller's frames and says which method of which object threw", async () => {
  const client = await connect({ url: t.url, callSites: true });
  const list = new SharedList<number>({ key: 'call-site-list', client });
  async function readPastTheEnd(): Promise<number> {
    await list.push(1);
    return await list.get(5);
  }
  try {
    const err = await caught(readPastTheEnd);
    assert.ok(err instanceof RemoteError);
    assert.equal(err.remoteName, 'RangeError');
    assert.equal(err.origin, "method get of SharedList 'call-site-list'");
    assert.match(err.stack!, /^RemoteError: index 5 is out of bounds/);
    assert.match(err.stack!, /\n\s+at async readPastTheEnd \(.*call-site-stacks\.test\.ts:\d+:\d+\)/);
    assert.doesNotMatch(err.stack!, /connection\.ts/, "the client's socket handler is not the call site");
  } finally {
    await client.close();
  }
});

test('callSites is off unless asked for (it costs every call a promise): the error keeps the frames it was made with', async () => {
  const client = await connect({ url: t.url });
  assert.equal(client.callSites, false);
  async function readPastTheEnd(): Promise<number> {
    return await new SharedList<number>({ key: 'call-site-list', client }).get(5);
  }
  try {
    const err = await caught(readPastTheEnd);
    assert.ok(err instanceof RemoteError);
    assert.equal(err.origin, undefined);
    assert.doesNotMatch(err.stack!, /readPastTheEnd/);
  } finally {
    await client.close();
  }
});

test('SKEIN_CALL_SITES=1 turns callSites on for every client of the process; another value is refused', () => {
  const saved = process.env.SKEIN_CALL_SITES;
  try {
    process.env.SKEIN_CALL_SITES = '1';
    assert.equal(createClient({ url: t.url }).callSites, true);
    assert.equal(createClient({ url: t.url, callSites: false }).callSites, false, 'the option wins');
    process.env.SKEIN_CALL_SITES = 'yes';
    assert.throws(() => createClient({ url: t.url }), /SKEIN_CALL_SITES must be 1 \(on\) or 0 \(off\), got 'yes'/);
  } finally {
    if (saved === undefined) delete process.env.SKEIN_CALL_SITES;
    else process.env.SKEIN_CALL_SITES = saved;
  }
});

test("with callSites, a connection failure shows the caller's frames", async () => {
  const client = createClient({ url: `skein://127.0.0.1:${await freePort()}`, callSites: true });
  async function countOnADeadNode(): Promise<number> {
    return await new AtomicLong({ key: 'k', client }).incrementAndGet();
  }
  try {
    const err = await caught(countOnADeadNode);
    assert.ok(err instanceof ConnectionClosedError);
    assert.match(err.stack!, /\n\s+at async countOnADeadNode \(.*call-site-stacks\.test\.ts:\d+:\d+\)/);
  } finally {
    await client.close();
  }
});

test("a thread's RemoteError names the thread and task, and shows where join() was awaited (always: one wrapper per thread)", async () => {
  const thread = overQuota.spawn(3);
  async function waitForIt(): Promise<unknown> {
    return await thread.join();
  }
  const err = await caught(waitForIt);
  assert.ok(err instanceof RemoteError);
  assert.equal(err.origin, `thread ${thread.id} (task 'overQuota')`);
  assert.match(err.stack!, /\n\s+at async waitForIt \(.*call-site-stacks\.test\.ts:\d+:\d+\)/);
  assert.match(err.remoteStack!, /fixtures\/failing-tasks\.ts/, 'the remote stack is kept apart');
});
