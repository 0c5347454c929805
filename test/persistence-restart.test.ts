import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readdirSync } from 'node:fs';
import { AtomicLong, CyclicBarrier, Lock, Semaphore, SharedList, SharedMap } from '../src/index.ts';
import { Client } from '../src/client/client.ts';
import { Bank, Ledger, TallyHolder } from './fixtures/shared-classes.ts';
import { killMembers, startMember, tempDir, type MemberOptions } from './support/cluster.ts';
import { pollUntil } from './support/poll.ts';
import { until } from './support/progress.ts';

after(killMembers);

const OBJECTS = ['test/fixtures/shared-classes.ts'];
const COUNTERS = ['c0', 'c1', 'c2'];
const BANK_START = 1_000_000;

/** What the client saw acknowledged, per kind of object. */
interface Acked {
  /** Values `incrementAndGet` answered, per counter. */
  increments: Map<string, number[]>;
  /** Entries `set` on the map. */
  entries: Map<string, number>;
  /** Items pushed on the list, in the order their pushes were acknowledged (one loop: in order). */
  items: number[];
  /** What each transfer of 1 from account 0 to account 1 of the bank answered (account 0's balance). */
  transfers: number[];
}

/**
 * A stream of calls from `client`: several loops, each one call at a time, so that at any moment
 * a call of each is in flight. Every call must succeed: in-doubt calls are the client's to resend.
 */
function stream(client: Client, stop: { done: boolean }, acked: Acked, progress: EventEmitter): Promise<void>[] {
  const step = (): boolean => progress.emit('step');
  const counterLoop = async (key: string): Promise<void> => {
    const counter = new AtomicLong({ key, client });
    while (!stop.done) {
      const v = await counter.incrementAndGet();
      acked.increments.get(key)!.push(v);
      step();
    }
  };
  const mapLoop = async (): Promise<void> => {
    const map = new SharedMap<string, number>({ key: 'map', client });
    for (let i = 0; !stop.done; i++) {
      await map.set(`k${i}`, i * 7);
      acked.entries.set(`k${i}`, i * 7);
      step();
    }
  };
  const listLoop = async (): Promise<void> => {
    const list = new SharedList<number>({ key: 'list', client });
    for (let i = 0; !stop.done; i++) {
      await list.push(i);
      acked.items.push(i);
      step();
    }
  };
  const bankLoop = async (): Promise<void> => {
    const bank = new Bank({ key: 'bank', client }, 2, BANK_START);
    while (!stop.done) {
      acked.transfers.push(await bank.transfer(0, 1, 1));
      step();
    }
  };
  return [...COUNTERS.map(counterLoop), mapLoop(), listLoop(), bankLoop()];
}

const increments = (a: Acked): number => [...a.increments.values()].reduce((n, v) => n + v.length, 0);

/** The highest snapshot generation in a data directory (0: none yet). */
function snapshotGeneration(dir: string): number {
  let gen = 0;
  for (const name of readdirSync(dir)) {
    const m = /^snapshot-(\d+)\.skein$/.exec(name);
    if (m) gen = Math.max(gen, Number(m[1]));
  }
  return gen;
}

/**
 * One node with a data directory; a client takes a lock and permits, then streams calls; the node
 * is SIGKILLed once K increments were acknowledged, with calls in flight, and restarted on the same
 * port and directory; the client goes on. With `barrier`, a party is parked on a barrier across
 * the restart (and, with a small snapshot threshold, across a snapshot).
 */
async function killMidStream(t: TestContext, opts: { snapshotBytes?: number; barrier?: boolean }): Promise<void> {
  const data = tempDir();
  t.after(data.remove);
  const memberOpts: MemberOptions = { dataDir: data.dir, objects: OBJECTS, ...(opts.snapshotBytes ? { snapshotBytes: opts.snapshotBytes } : {}) };
  let member = await startMember(memberOpts);
  const client = new Client({ url: member.url, retryWindowMs: 60_000 });
  const other = new Client({ url: member.url, retryWindowMs: 60_000 });
  t.after(() => Promise.all([client.close(), other.close()]));
  const session = await client.session();
  assert.equal(session, client.sessionId);

  const lock = new Lock({ key: 'lock', client });
  const token = await lock.lock();
  const permits = new Semaphore({ key: 'permits', client }, 5);
  await permits.acquire(2);

  // The parked party: its await is in flight across the kill, and the client resends it.
  const parties = opts.barrier ? [new CyclicBarrier({ key: 'barrier', client }, 3)] : [];
  const parked = parties.map((b) => b.await());
  // Awaited at the end; a failure before that must not surface as an unhandled rejection.
  for (const p of parked) p.catch(() => undefined);
  if (opts.barrier) {
    const waiting = await pollUntil(() => new CyclicBarrier({ key: 'barrier', client: other }).waiting(), (n) => n === 1);
    assert.equal(waiting, 1, 'the first party is parked');
  }

  const acked: Acked = { increments: new Map(COUNTERS.map((k) => [k, []])), entries: new Map(), items: [], transfers: [] };
  const stop = { done: false };
  const progress = new EventEmitter().setMaxListeners(0);
  const loops = stream(client, stop, acked, progress);
  const parkedGen = snapshotGeneration(data.dir);
  await until(progress, loops, () => increments(acked) >= 300 && (!opts.snapshotBytes || snapshotGeneration(data.dir) > parkedGen + 1));
  await member.kill();
  const before = increments(acked);

  member = await startMember({ ...memberOpts, port: member.port });
  await until(progress, loops, () => increments(acked) >= before + 300);
  stop.done = true;
  await Promise.all(loops);

  // Every acknowledged call is there exactly once, and nothing else.
  for (const key of COUNTERS) {
    const seen = acked.increments.get(key)!;
    assert.deepEqual(seen, seen.map((_, i) => i + 1), `${key}: each increment answered the next value`);
    assert.equal(await new AtomicLong({ key, client: other }).get(), seen.length, `${key} equals its acknowledged increments`);
  }
  assert.deepEqual(new Map(await new SharedMap<string, number>({ key: 'map', client: other }).entries()), acked.entries);
  assert.deepEqual(await new SharedList<number>({ key: 'list', client: other }).slice(), acked.items);
  const n = acked.transfers.length;
  assert.deepEqual(acked.transfers, acked.transfers.map((_, i) => BANK_START - i - 1), 'each transfer answered the next balance');
  const bank = (await new Bank({ key: 'bank', client: other }, 2, BANK_START).snapshot()) as { balances: number[]; log: unknown[] };
  assert.deepEqual(bank.balances, [BANK_START - n, BANK_START + n]);
  assert.equal(bank.log.length, n);

  // Leases survive: the same session still holds the lock and the permits.
  assert.equal(await client.session(), session, 'the session id is unchanged');
  assert.equal(await lock.isLocked(), true);
  assert.equal(await new Lock({ key: 'lock', client: other }).tryLock(), null, 'another client cannot take the lock');
  assert.equal(await permits.availablePermits(), 3);
  assert.equal(await new Semaphore({ key: 'permits', client: other }, 5).tryAcquire(4), false);
  await lock.unlock(token);
  assert.equal(typeof (await new Lock({ key: 'lock', client: other }).tryLock()), 'number', 'once unlocked, another client takes it');

  if (opts.barrier) {
    // The remaining parties arrive: the barrier trips, and the resent await gets its index.
    const rest = [new CyclicBarrier({ key: 'barrier', client: other }, 3), new CyclicBarrier({ key: 'barrier', client }, 3)].map((b) => b.await());
    const indexes = await Promise.all([...parked, ...rest]);
    assert.deepEqual([...indexes].sort(), [0, 1, 2]);
  }
  await member.stop();
}

test('a node SIGKILLed mid-stream and restarted on its data directory keeps every acknowledged call exactly once, and the leases', { timeout: 120_000 }, (t) =>
  killMidStream(t, {}));

test('the same with a small snapshot threshold: snapshots are taken during the run', { timeout: 120_000 }, (t) =>
  killMidStream(t, { snapshotBytes: 4096 }));

test(
  'a barrier party parked across snapshots and the kill: its resent await is answered when the barrier trips',
  { timeout: 60_000 },
  (t) => killMidStream(t, { snapshotBytes: 4096, barrier: true }),
);

test('a user object with declared helper classes goes into snapshots and comes back after a kill', { timeout: 60_000 }, async (t) => {
  const data = tempDir();
  t.after(data.remove);
  // Any log is over one byte: every commit is followed by a snapshot.
  const member = await startMember({ dataDir: data.dir, objects: OBJECTS, snapshotBytes: 1 });
  const client = new Client({ url: member.url, retryWindowMs: 20_000 });
  t.after(() => client.close());
  const ledger = new Ledger({ key: 'ledger', client });
  await ledger.open('a', 10);
  await ledger.transfer('a', 'b', 3);
  await member.kill();
  await startMember({ dataDir: data.dir, objects: OBJECTS, snapshotBytes: 1, port: member.port });
  const state = (await ledger.state()) as { balances: [string, number][] };
  assert.deepEqual(state.balances, [['a', 7], ['b', 3]]);
});

test('an object the state codec cannot carry: snapshots are skipped and logged, the node stays up, and its log still recovers it', { timeout: 60_000 }, async (t) => {
  const data = tempDir();
  t.after(data.remove);
  const member = await startMember({ dataDir: data.dir, objects: OBJECTS, snapshotBytes: 1 });
  const client = new Client({ url: member.url, retryWindowMs: 20_000 });
  t.after(() => client.close());
  // Its state holds a PrivateTally, a class it does not declare (and whose count is #private).
  const holder = new TallyHolder({ key: 'tally', client });
  for (let i = 1; i <= 5; i++) assert.equal(await holder.bump(), i);
  assert.equal(member.child.exitCode, null, 'the node is still running');
  assert.match(member.stderr(), /snapshot skipped[^\n]*PrivateTally/);
  await member.kill();
  await startMember({ dataDir: data.dir, objects: OBJECTS, snapshotBytes: 1, port: member.port });
  assert.equal(await holder.bump(), 6, 'the log replayed every bump');
});
