import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '../src/index.ts';
import { Centroids } from './fixtures/shared-classes.ts';
import { testNode } from './support/node.ts';
import { settledBy } from './support/settled.ts';

type Point = number[];

/** Per-cluster sums and counts of `points` assigned to their nearest centroid. */
function partialSums(points: Point[], centroids: Point[]): { sums: number[][]; counts: number[] } {
  const sums = centroids.map((c) => c.map(() => 0));
  const counts = centroids.map(() => 0);
  for (const p of points) {
    let best = 0;
    let bestDistance = Infinity;
    centroids.forEach((c, i) => {
      const d = c.reduce((acc, x, j) => acc + (x - p[j]!) ** 2, 0);
      if (d < bestDistance) [best, bestDistance] = [i, d];
    });
    counts[best]!++;
    p.forEach((x, j) => (sums[best]![j]! += x));
  }
  return { sums, counts };
}

/** The centroids of one k-means step, computed here; the object must answer the same. */
function localStep(points: Point[], centroids: Point[]): Point[] {
  const { sums, counts } = partialSums(points, centroids);
  return sums.map((row, c) => row.map((s) => s / Math.max(1, counts[c]!)));
}

/** Integer points scattered around three centres (integer sums are exact in any order). */
function points(n: number): Point[] {
  const centres = [
    [0, 0],
    [40, 5],
    [10, 50],
  ];
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 13;
  return Array.from({ length: n }, (_, i) => centres[i % 3]!.map((x) => x + next() - 6));
}

test('readers in centroidsOf(round) are released exactly when the last worker adds for that round', { timeout: 10_000 }, async ({ signal }) => {
  const WORKERS = 3;
  const t = await testNode({ objects: [Centroids] }, signal);
  try {
    const open = async (): Promise<{ client: Client; c: InstanceType<typeof Centroids> }> => {
      const client = await t.client();
      return { client, c: new Centroids({ key: 'release', client }, 2, 2, WORKERS) };
    };
    const workers = await Promise.all(Array.from({ length: WORKERS }, open));
    const [r1, r2] = [await open(), await open()];
    // Each waiting read with the client it went through (its reply comes on that connection).
    const round1 = [r1, r2].map(({ client, c }) => ({ client, read: c.centroidsOf(1) }));
    const round2 = { client: r2.client, read: r2.c.centroidsOf(2) };
    const contributions = [
      [{ sums: [[2, 4], [30, 0]], counts: [1, 3] }, { sums: [[0, 2], [0, 6]], counts: [1, 2] }, { sums: [[1, 0], [5, 5]], counts: [1, 1] }],
      [{ sums: [[9, 9], [0, 0]], counts: [3, 0] }, { sums: [[3, 3], [8, 8]], counts: [1, 2] }, { sums: [[0, 0], [4, 0]], counts: [0, 2] }],
    ];
    const means = contributions.map((round) =>
      [0, 1].map((c) => {
        const count = round.reduce((n, w) => n + w.counts[c]!, 0);
        return [0, 1].map((d) => round.reduce((s, w) => s + w.sums[c]![d]!, 0) / Math.max(1, count));
      }),
    );

    for (const [r, round] of contributions.entries()) {
      for (const [w, { sums, counts }] of round.entries()) {
        const closed = await workers[w]!.c.add(sums, counts);
        const last = w === WORKERS - 1;
        assert.equal(closed, last ? r + 1 : r, `rounds closed after worker ${w} of round ${r + 1}`);
        for (const { client, read } of r === 0 ? round1 : [round2]) {
          assert.equal(await settledBy(read, client), last, `reader of round ${r + 1} after worker ${w}`);
        }
        if (r === 0) assert.equal(await settledBy(round2.read, round2.client), false, 'round 2 reader during round 1');
      }
      if (r === 0) for (const { read } of round1) assert.deepEqual(await read, means[0]);
    }
    assert.deepEqual(await round2.read, means[1], 'round 2 has its own sums, not round 1 added in');
    assert.deepEqual(await r1.c.centroidsOf(1), means[0], 'a late reader still gets round 1');
  } finally {
    await t.close();
  }
});

test('workers on several clients run k-means rounds through the object and agree with a local run', { timeout: 10_000 }, async ({ signal }) => {
  const WORKERS = 4;
  const ROUNDS = 5;
  const K = 3;
  const all = points(120);
  // Two starting centroids in one cluster, so the centroids take rounds to settle.
  const start = [all[0]!, all[3]!, all[1]!];
  const t = await testNode({ objects: [Centroids] }, signal);
  try {
    const handle = async (): Promise<InstanceType<typeof Centroids>> =>
      new Centroids({ key: 'kmeans', client: await t.client() }, K, 2, WORKERS);
    const observer = await handle();
    const final = observer.centroidsOf(ROUNDS);
    const seen = await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const c = await handle();
        const mine = all.filter((_, i) => i % WORKERS === w);
        let centroids = start;
        const rounds: Point[][] = [];
        for (let r = 1; r <= ROUNDS; r++) {
          const { sums, counts } = partialSums(mine, centroids);
          await c.add(sums, counts);
          centroids = await c.centroidsOf(r);
          rounds.push(centroids);
        }
        return rounds;
      }),
    );

    const expected: Point[][] = [];
    let centroids = start;
    for (let r = 1; r <= ROUNDS; r++) expected.push((centroids = localStep(all, centroids)));
    assert.notDeepEqual(expected[0], expected[ROUNDS - 1], 'the centroids move between rounds');
    for (const [w, rounds] of seen.entries()) assert.deepEqual(rounds, expected, `worker ${w}`);
    assert.deepEqual(await final, expected[ROUNDS - 1]);
  } finally {
    await t.close();
  }
});
