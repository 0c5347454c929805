import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configureRuntime, PnCounter } from '../src/index.ts';
import { checkStored, consistencyLevels, runRetwis, type RetwisRun } from '../examples/retwis.ts';
import { BadSettingError } from '../examples/lib/env.ts';
import { checkRetwis, type RetwisOp, type UserLog } from '../examples/lib/retwis-anomalies.ts';
import { runSkein, stopSkeins } from './support/node.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

const SIZE = { users: 8, segments: 3, requests: 8, maxFollows: 4, seed: 7 };

describe('the Retwis anomaly checker', () => {
  const post = (id: string, replyTo: string | null = null): RetwisOp => ({ op: 'post', id, replyTo });
  const read = (id: string, found = true): RetwisOp => ({ op: 'read', id, found });
  const timeline = (...ids: string[]): RetwisOp => ({ op: 'timeline', ids });

  test('finds nothing in a clean history', () => {
    const logs: UserLog[] = [
      { user: 'u0', ops: [post('u0:1'), timeline('u0:1'), read('u0:1')] },
      { user: 'u1', ops: [timeline('u0:1'), read('u0:1'), post('u1:1', 'u0:1'), { op: 'follows', user: 'u0', has: false }, { op: 'follow', user: 'u0' }, { op: 'follows', user: 'u0', has: true }] },
      { user: 'u2', ops: [timeline('u1:1'), read('u1:1'), read('u0:1')] },
    ];
    assert.deepEqual(checkRetwis(logs), { readYourWrites: 0, monotonic: 0, causal: 0 });
  });

  test('finds a reply without its parent, also one the reader reached transitively', () => {
    const writers: UserLog[] = [
      { user: 'u0', ops: [post('u0:1')] },
      { user: 'u1', ops: [timeline('u0:1'), read('u0:1'), post('u1:1', 'u0:1')] },
      // u3 saw only u1's reply, then posted: u3:1 depends on u0:1 through it.
      { user: 'u3', ops: [timeline('u1:1'), post('u3:1')] },
    ];
    assert.equal(checkRetwis([...writers, { user: 'u2', ops: [timeline('u1:1'), read('u1:1'), read('u0:1', false)] }]).causal, 1);
    assert.equal(checkRetwis([...writers, { user: 'u2', ops: [timeline('u3:1'), read('u0:1', false)] }]).causal, 1);
    // Not seen anything that depends on u0:1: its absence is no anomaly.
    assert.equal(checkRetwis([...writers, { user: 'u2', ops: [timeline(), read('u0:1', false)] }]).causal, 0);
  });

  test('finds a missed own post or follow, and a timeline or post that went back in time', () => {
    const found = checkRetwis([
      { user: 'u0', ops: [post('u0:1'), timeline(), read('u0:1', false), { op: 'follow', user: 'u1' }, { op: 'follows', user: 'u1', has: false }] },
      { user: 'u1', ops: [timeline('u0:1'), timeline(), read('u0:1'), read('u0:1', false)] },
    ]);
    assert.deepEqual(found, { readYourWrites: 3, monotonic: 2, causal: 0 });
  });

  test('a post no session made is refused', () => {
    assert.throws(() => checkRetwis([{ user: 'u0', ops: [timeline('u9:1')] }]), /saw post u9:1, which no session made/);
  });
});

test('CONSISTENCY names the levels, causal by default; a level that does not exist is a BadSettingError naming it', () => {
  const saved = process.env.CONSISTENCY;
  try {
    delete process.env.CONSISTENCY;
    assert.deepEqual(consistencyLevels(), ['causal']);
    process.env.CONSISTENCY = 'eventual, read-your-writes';
    assert.deepEqual(consistencyLevels(), ['eventual', 'read-your-writes']);
    process.env.CONSISTENCY = 'eventual,strong';
    assert.throws(consistencyLevels, (err: unknown) => err instanceof BadSettingError && /CONSISTENCY=eventual,strong: 'strong' is not one of eventual, read-your-writes, repeatable-read, causal/.test((err as Error).message));
  } finally {
    if (saved === undefined) delete process.env.CONSISTENCY;
    else process.env.CONSISTENCY = saved;
  }
});

describe('Retwis on cloud threads', () => {
  let t: TestNode;
  before(async () => (t = await threadsNode()));
  after(async () => {
    await stopSkeins();
    await t.close();
  });

  /** The checks hold because the run did something: posts, replies, follows and unfollows, timeline reads. */
  function assertBusy(run: RetwisRun): void {
    const ops = run.logs.flatMap((l) => l.ops);
    const count = (f: (o: RetwisOp) => boolean): number => ops.filter(f).length;
    assert.ok(count((o) => o.op === 'post') > 5, 'posts');
    assert.ok(count((o) => o.op === 'post' && o.replyTo !== null) > 0, 'replies');
    assert.ok(count((o) => o.op === 'unfollow') > 0, 'unfollows');
    assert.ok(count((o) => o.op === 'read' && o.found) > 10, 'posts read');
  }

  for (const backend of BACKENDS) {
    test(`${backend} backend, causal: the stored counts agree with the logs and no session sees a causal or read-your-writes anomaly`, { timeout: 60_000 }, async () => {
      configureRuntime({ backend, workers: 2 });
      const run = await runRetwis({ ...SIZE, consistency: 'causal' });
      assertBusy(run);
      assert.equal(run.logs.length, SIZE.users);
      assert.deepEqual(run.anomalies, { readYourWrites: 0, monotonic: 0, causal: 0 });
      assert.deepEqual(await checkStored(run), []);
      // The stored-state check is not vacuous: one follower too many is found.
      await new PnCounter(`${run.prefix}.followerCount.u0`).add(1);
      assert.match((await checkStored(run)).join('\n'), /u0's follower count is \d+; follows minus unfollows: \d+/);
    });
  }

  test('skein run examples/retwis.ts prints each level\'s throughput and anomalies', { timeout: 60_000 }, async () => {
    const env = { SKEIN_DSO: undefined, SKEIN_TOKEN: undefined, USERS: '5', SEGMENTS: '2', REQUESTS: '5', CONSISTENCY: 'eventual,causal' };
    const { code, stdout, stderr } = await runSkein(['run', 'examples/retwis.ts'], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^retwis eventual: 5 users, \d+ requests \(\d+ posts\) in [\d.]+ s, \d+ requests\/s; anomalies: read-your-writes \d+, monotonic \d+, causal \d+; stored state/m);
    assert.match(stdout, /^retwis causal: 5 users, .*; anomalies: read-your-writes 0, monotonic 0, causal 0; stored state consistent$/m);
  });
});
