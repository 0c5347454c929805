import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configureRuntime, session, type Consistency } from '../src/index.ts';
import { sessionOps, sessionSegment } from './fixtures/lattice-tasks.ts';
import { checkSessions, type SessionHistory } from './support/session-checker.ts';
import { threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

describe('the anomaly checker', () => {
  const add = (key: string, item: string) => ({ op: 'add' as const, key, item });
  const read = (key: string, ...items: string[]) => ({ op: 'read' as const, key, items });

  test('finds nothing in a clean history', () => {
    const h: SessionHistory[] = [
      { session: 's', ops: [add('a', 's1'), read('a', 's1'), add('b', 's2'), read('b', 's2', 't1')] },
      { session: 't', ops: [add('b', 't1'), read('b', 's2', 't1'), read('a', 's1')] },
    ];
    assert.deepEqual(checkSessions(h), { readYourWrites: 0, monotonicReads: 0, repeatableRead: 0, causal: 0 });
  });

  test('finds a missed own write, a read that goes back, a changed snapshot and a missing dependency', () => {
    assert.equal(checkSessions([{ session: 's', ops: [add('a', 'x'), read('a')] }]).readYourWrites, 1);
    assert.equal(checkSessions([{ session: 's', ops: [read('a', 'x'), read('a')] }]).monotonicReads, 1);
    assert.equal(checkSessions([{ session: 's', ops: [read('a'), read('a', 'x')] }]).repeatableRead, 1);
    // w adds a:1 then b:1; r sees b:1, then reads a without a:1.
    const causal = checkSessions([
      { session: 'w', ops: [add('a', 'a1'), add('b', 'b1')] },
      { session: 'r', ops: [read('b', 'b1'), read('a')] },
    ]);
    assert.equal(causal.causal, 1);
    // Transitively: u read a1 and then added c1; r sees c1, then misses a1.
    const transitive = checkSessions([
      { session: 'w', ops: [add('a', 'a1')] },
      { session: 'u', ops: [read('a', 'a1'), add('c', 'c1')] },
      { session: 'r', ops: [read('c', 'c1'), read('a')] },
    ]);
    assert.equal(transitive.causal, 1);
  });
});

describe('sessions on lattice objects across processes', () => {
  let t: TestNode;
  before(async () => {
    t = await threadsNode();
    configureRuntime({ backend: 'process', workers: 3 });
  });
  after(() => t.close());

  /**
   * Four sessions at once, each running ops in this process, then in a thread of its own (another
   * process, with its own cache), then here again; a thread with no session adds alongside.
   */
  async function run(level: Consistency, prefix: string): Promise<SessionHistory[]> {
    const noise = sessionSegment.run({ prefix, tag: 'noise', first: 0, count: 60, seed: 99 });
    const histories = await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        const s = session({ consistency: level });
        const tag = `${level}-${n}`;
        const first = await s.run(() => sessionOps({ prefix, tag, first: 0, count: 25, seed: n }));
        const middle = await sessionSegment.run({ prefix, tag, first: 100, count: 25, seed: n + 10 }, { session: s });
        const last = await s.run(() => sessionOps({ prefix, tag, first: 200, count: 25, seed: n + 20 }));
        await s.end();
        return { session: tag, ops: [...first, ...middle, ...last] };
      }),
    );
    await noise;
    return histories;
  }

  test('read-your-writes: no session misses its own write or goes back in time', async () => {
    const found = checkSessions(await run('read-your-writes', 'anomalies.ryw'));
    assert.equal(found.readYourWrites, 0);
    assert.equal(found.monotonicReads, 0);
  });

  test('repeatable-read: every read of a key is the first one plus the session\'s own adds', async () => {
    const found = checkSessions(await run('repeatable-read', 'anomalies.rr'));
    assert.equal(found.repeatableRead, 0);
    assert.equal(found.readYourWrites, 0);
  });

  test('causal: no session sees an item without what it depends on, nor misses its own writes', async () => {
    const found = checkSessions(await run('causal', 'anomalies.causal'));
    assert.deepEqual({ causal: found.causal, readYourWrites: found.readYourWrites, monotonicReads: found.monotonicReads }, { causal: 0, readYourWrites: 0, monotonicReads: 0 });
  });

  test('eventual: the checker counts what it finds (reported, not asserted)', async (tc) => {
    const found = checkSessions(await run('eventual', 'anomalies.eventual'));
    tc.diagnostic(`anomalies under eventual: ${JSON.stringify(found)}`);
    assert.ok(found.repeatableRead > 0, 'an eventual session sees other sessions\' adds between its reads');
  });
});
