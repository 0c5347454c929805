import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { AtomicLong, SharedMap } from '../src/index.ts';
import type { Client } from '../src/client/client.ts';
import { clusterClient, killMembers, ownerOf, startCluster, startMemberLike, waitForMembers, type Member } from './support/cluster.ts';
import { until } from './support/progress.ts';

after(killMembers);

// Enough keys that every member owns some of them (a member owning none of 40 has odds of ~1e-5).
const COUNTERS = Array.from({ length: 32 }, (_, i) => `counter-${i}`);
const MAPS = Array.from({ length: 8 }, (_, i) => `map-${i}`);

/** What one client saw acknowledged. */
interface Acked {
  increments: Map<string, number>;
  /** Entries written, per map. */
  entries: Map<string, Map<string, number>>;
  steps: number;
}

/**
 * Client `n` alternates an increment and a map write until `stop` is set. Every call must
 * succeed: in-doubt calls and calls for moving objects are the client's to resend.
 */
async function writeLoop(client: Client, n: number, stop: { done: boolean }, acked: Acked, progress: EventEmitter): Promise<void> {
  for (let i = 0; !stop.done; i++) {
    const key = COUNTERS[(n * 5 + i) % COUNTERS.length]!;
    await new AtomicLong({ key, client }).incrementAndGet();
    acked.increments.set(key, (acked.increments.get(key) ?? 0) + 1);
    const map = MAPS[(n + i) % MAPS.length]!;
    await new SharedMap<string, number>({ key: map, client }).set(`${n}:${i}`, i);
    if (!acked.entries.has(map)) acked.entries.set(map, new Map());
    acked.entries.get(map)!.set(`${n}:${i}`, i);
    acked.steps++;
    progress.emit('step');
  }
}

/** Runs 8 writing clients on `members`; `during` runs once each has made progress, and they go on after it. */
async function underLoad(members: readonly Member[], during: () => Promise<readonly Member[]>): Promise<Acked[]> {
  const clients = Array.from({ length: 8 }, () => clusterClient(members, 30_000));
  await waitForMembers(clients[0]!, members.map((m) => m.url));
  const stop = { done: false };
  const acked = clients.map((): Acked => ({ increments: new Map(), entries: new Map(), steps: 0 }));
  const progress = new EventEmitter().setMaxListeners(0);
  const loops = clients.map((c, n) => writeLoop(c, n, stop, acked[n]!, progress));
  try {
    await until(progress, loops, () => acked.every((a) => a.steps >= 20));
    const now = await during();
    await waitForMembers(clients[0]!, now.map((m) => m.url));
    const before = acked.map((a) => a.steps);
    await until(progress, loops, () => acked.every((a, i) => a.steps >= before[i]! + 20));
  } finally {
    stop.done = true;
  }
  await Promise.all(loops);
  await Promise.all(clients.map((c) => c.close()));
  return acked;
}

/** Asserts that every counter equals the increments acknowledged and every map holds what was written. */
async function checkState(checker: Client, acked: readonly Acked[]): Promise<void> {
  for (const key of COUNTERS) {
    const issued = acked.reduce((sum, a) => sum + (a.increments.get(key) ?? 0), 0);
    assert.equal(await new AtomicLong({ key, client: checker }).get(), issued, `counter ${key}`);
  }
  for (const key of MAPS) {
    const written = new Map(acked.flatMap((a) => [...(a.entries.get(key) ?? [])]));
    const held = new Map(await new SharedMap<string, number>({ key, client: checker }).entries());
    assert.deepEqual(held, written, `map ${key}`);
  }
}

test('3 members, rf 2: a 4th joins while 8 clients write; nothing is lost or doubled and the newcomer owns a share', { timeout: 120_000 }, async () => {
  const members = await startCluster(3, 2);
  let joined: Member | undefined;
  const acked = await underLoad(members, async () => {
    joined = await startMemberLike(members[0]!, { rf: 2 });
    return [...members, joined];
  });
  const all = [...members, joined!];
  const checker = clusterClient(all);
  await waitForMembers(checker, all.map((m) => m.url));
  await checkState(checker, acked);

  const infos = await checker.infoAll();
  assert.equal(infos.length, 4);
  for (const info of infos) assert.equal(info.members.length, 4, `${info.url} knows 4 members`);
  // Each member owns exactly the objects the placement gives it, and the newcomer is one of them.
  const keys = [...COUNTERS, ...MAPS];
  for (const info of infos) {
    const expected = keys.filter((k) => ownerOf(k, all).url === info.url).length;
    assert.equal(info.owned, expected, `${info.url} owns its share`);
  }
  const newcomer = infos.find((i) => i.url === joined!.url)!;
  assert.ok(newcomer.owned > 0, 'the new member owns some objects');
  await checker.close();
  await Promise.all(all.map((m) => m.stop()));
});

test(
  '3 members, rf 1: a member stopped with SIGTERM hands its objects over before it leaves',
  { timeout: 120_000 },
  async () => {
    // With one copy of each object, only a handover keeps the leaving member's objects.
    const members = await startCluster(3, 1);
    const leaving = ownerOf(COUNTERS[0]!, members);
    const rest = members.filter((m) => m !== leaving);
    const acked = await underLoad(members, async () => {
      await leaving.stop();
      return rest;
    });
    const checker = clusterClient(rest);
    await waitForMembers(checker, rest.map((m) => m.url));
    await checkState(checker, acked);
    await checker.close();
    await Promise.all(rest.map((m) => m.stop()));
  },
);
