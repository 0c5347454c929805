import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CyclicBarrier, TimeoutError, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';
import { pollUntil } from './support/poll.ts';

/** `n` clients, each with its own handle on the barrier of `size` parties at `key`. */
async function parties(t: TestNode, key: string, n: number, size: number): Promise<{ clients: Client[]; barriers: CyclicBarrier[] }> {
  const clients = await Promise.all(Array.from({ length: n }, () => t.client()));
  return { clients, barriers: clients.map((client) => new CyclicBarrier({ key, client }, size)) };
}

function assertPermutation(indexes: number[], n: number, what: string): void {
  assert.deepEqual([...indexes].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), what);
}

test('no party passes a round before every party has arrived at it, over many rounds', async () => {
  const N = 6;
  const ROUNDS = 50;
  const t = await testNode();
  try {
    const { barriers } = await parties(t, 'rounds', N, N);
    /** The round each party has most recently arrived at (set before its await is sent). */
    const arrivedAt = new Array<number>(N).fill(-1);
    const indexes = Array.from({ length: ROUNDS }, () => [] as number[]);
    await Promise.all(
      barriers.map(async (barrier, p) => {
        for (let r = 0; r < ROUNDS; r++) {
          arrivedAt[p] = r;
          const index = await barrier.await();
          indexes[r]!.push(index);
          // Every party has arrived at round r, and none can be past round r + 1 (it needs p there).
          for (const q of arrivedAt) assert.ok(q === r || q === r + 1, `party ${p} passed round ${r} while another was at ${q}`);
        }
      }),
    );
    for (let r = 0; r < ROUNDS; r++) assertPermutation(indexes[r]!, N, `arrival indexes of round ${r}`);
    assert.equal(await barriers[0]!.waiting(), 0);
    assert.equal(await barriers[0]!.parties(), N);
  } finally {
    await t.close();
  }
});

test('reset() breaks the waiting parties with BrokenBarrierError and the barrier starts over', async () => {
  const t = await testNode();
  try {
    const { barriers } = await parties(t, 'reset', 3, 3);
    const [a, b, c] = barriers as [CyclicBarrier, CyclicBarrier, CyclicBarrier];
    const broken = { code: 'EREMOTE', remoteName: 'BrokenBarrierError' };
    const waiters = [assert.rejects(a.await(), broken), assert.rejects(b.await(), broken)];
    assert.equal(await pollUntil(() => c.waiting(), (n) => n === 2), 2);
    await c.reset();
    await Promise.all(waiters);
    assert.equal(await c.waiting(), 0);

    const round = await Promise.all([a.await(), b.await(), c.await()]);
    assertPermutation(round, 3, 'arrival indexes after reset');
  } finally {
    await t.close();
  }
});

test('reset() with no party waiting breaks nothing later', async () => {
  const t = await testNode();
  try {
    const { barriers } = await parties(t, 'idle-reset', 2, 2);
    await barriers[0]!.reset();
    const round = await Promise.all(barriers.map((b) => b.await()));
    assertPermutation(round, 2, 'arrival indexes');
  } finally {
    await t.close();
  }
});

test('a party that times out takes its arrival back; the others still meet', async () => {
  const t = await testNode();
  try {
    // A withdraws from between B (arrived before it) and C (after it, sent right behind it).
    const { barriers } = await parties(t, 'timeout', 3, 4);
    const [a, b, other] = barriers as [CyclicBarrier, CyclicBarrier, CyclicBarrier];
    const fromB = b.await();
    assert.equal(await pollUntil(() => other.waiting(), (n) => n === 1), 1);
    const fromA = assert.rejects(a.await({ timeoutMs: 30 }), TimeoutError);
    const fromC = a.await();
    await fromA;
    assert.equal(await other.waiting(), 2);

    const rest = [other.await(), other.await()];
    const round = await Promise.all([fromB, fromC, ...rest]);
    assertPermutation(round, 4, 'arrival indexes of the parties that met');
    assert.equal(await other.waiting(), 0);
  } finally {
    await t.close();
  }
});

test('parties that time out one after another each take their arrival back', async () => {
  const t = await testNode();
  try {
    const { barriers } = await parties(t, 'timeouts', 2, 3);
    const [a, b] = barriers as [CyclicBarrier, CyclicBarrier];
    const first = assert.rejects(a.await({ timeoutMs: 20 }), TimeoutError);
    assert.equal(await pollUntil(() => b.waiting(), (n) => n === 1), 1);
    // The first timeout retries the second party's parked call; its undo must survive that.
    const second = assert.rejects(b.await({ timeoutMs: 40 }), TimeoutError);
    await Promise.all([first, second]);
    assert.equal(await b.waiting(), 0);

    const round = await Promise.all([a.await(), a.await(), b.await()]);
    assertPermutation(round, 3, 'arrival indexes after the timeouts');
  } finally {
    await t.close();
  }
});

test('a party whose client disconnects takes its arrival back; the others still meet', async () => {
  const t = await testNode();
  try {
    const { clients, barriers } = await parties(t, 'disconnect', 4, 4);
    const [b, x, c, other] = barriers as [CyclicBarrier, CyclicBarrier, CyclicBarrier, CyclicBarrier];
    const waiting = (n: number): Promise<number> => pollUntil(() => other.waiting(), (w) => w === n);
    const fromB = b.await();
    assert.equal(await waiting(1), 1);
    const fromX = assert.rejects(x.await(), { code: 'ECLOSED' });
    assert.equal(await waiting(2), 2);
    const fromC = c.await();
    assert.equal(await waiting(3), 3);

    await clients[1]!.close();
    await fromX;
    assert.equal(await waiting(2), 2);

    const rest = [other.await(), other.await()];
    const round = await Promise.all([fromB, fromC, ...rest]);
    assertPermutation(round, 4, 'arrival indexes of the parties that met');
  } finally {
    await t.close();
  }
});

test('parties whose clients disconnect one after another each take their arrival back', async () => {
  const t = await testNode();
  try {
    const { clients, barriers } = await parties(t, 'disconnects', 3, 3);
    const [x, y, other] = barriers as [CyclicBarrier, CyclicBarrier, CyclicBarrier];
    const waiting = (n: number): Promise<number> => pollUntil(() => other.waiting(), (w) => w === n);
    const fromX = assert.rejects(x.await(), { code: 'ECLOSED' });
    assert.equal(await waiting(1), 1);
    const fromY = assert.rejects(y.await(), { code: 'ECLOSED' });
    assert.equal(await waiting(2), 2);
    // X leaving retries Y's parked call; Y's undo must survive that.
    await clients[0]!.close();
    await fromX;
    assert.equal(await waiting(1), 1);
    await clients[1]!.close();
    await fromY;
    assert.equal(await waiting(0), 0);

    const round = await Promise.all([other.await(), other.await(), other.await()]);
    assertPermutation(round, 3, 'arrival indexes after the disconnects');
  } finally {
    await t.close();
  }
});
