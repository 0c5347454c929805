import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { CyclicBarrier, Semaphore } from '../src/index.ts';
import { clusterClient, killMembers, ownerOf, startCluster, waitForMembers } from './support/cluster.ts';
import { until } from './support/progress.ts';

after(killMembers);

test('a barrier keeps its rounds across a failover: every round trips once, with a permutation of arrival indexes', { timeout: 90_000 }, async () => {
  const members = await startCluster(3, 2);
  const parties = 3;
  const clients = Array.from({ length: parties }, () => clusterClient(members));
  await waitForMembers(clients[0]!, members.map((m) => m.url));
  const progress = new EventEmitter().setMaxListeners(0);
  const indexes: number[][] = clients.map(() => []);
  const stop = { done: false };
  const loops = clients.map(async (client, p) => {
    const barrier = new CyclicBarrier({ key: 'rounds', client }, parties);
    while (!stop.done) {
      indexes[p]!.push(await barrier.await());
      progress.emit('step');
    }
  });
  const rounds = (): number => Math.min(...indexes.map((i) => i.length));
  await until(progress, loops, () => rounds() >= 20);
  const victim = ownerOf('rounds', members);
  await victim.kill();
  const survivors = members.filter((m) => m !== victim);
  await waitForMembers(clients[0]!, survivors.map((m) => m.url));
  const before = rounds();
  await until(progress, loops, () => rounds() >= before + 20);
  stop.done = true;
  // The parties stop together: the last round needs all three.
  await Promise.all(loops);
  const n = rounds();
  assert.ok(indexes.every((i) => i.length === n), `every party saw ${n} rounds: ${indexes.map((i) => i.length).join(', ')}`);
  for (let r = 0; r < n; r++) {
    assert.deepEqual(indexes.map((i) => i[r]).sort(), [0, 1, 2], `round ${r}`);
  }
  await Promise.all(clients.map((c) => c.close()));
});

test('a semaphore never admits more holders than its permits across a failover, and ends with all its permits', { timeout: 90_000 }, async () => {
  const members = await startCluster(3, 2);
  const permits = 2;
  const clients = Array.from({ length: 5 }, () => clusterClient(members));
  await waitForMembers(clients[0]!, members.map((m) => m.url));
  const progress = new EventEmitter().setMaxListeners(0);
  let inside = 0;
  let most = 0;
  let passes = 0;
  const stop = { done: false };
  const loops = clients.map(async (client) => {
    const sem = new Semaphore({ key: 'gate', client }, permits);
    while (!stop.done) {
      await sem.acquire();
      inside++;
      most = Math.max(most, inside);
      // Hold the permit across a round trip, so holders overlap.
      await client.ping();
      inside--;
      await sem.release();
      passes++;
      progress.emit('step');
    }
  });
  await until(progress, loops, () => passes >= 100);
  const victim = ownerOf('gate', members);
  await victim.kill();
  const survivors = members.filter((m) => m !== victim);
  await waitForMembers(clients[0]!, survivors.map((m) => m.url));
  const before = passes;
  await until(progress, loops, () => passes >= before + 100);
  stop.done = true;
  await Promise.all(loops);
  assert.ok(most <= permits, `at most ${permits} holders at once, saw ${most}`);
  const checker = clusterClient(survivors);
  assert.equal(await new Semaphore({ key: 'gate', client: checker }, permits).availablePermits(), permits);
  await Promise.all([...clients, checker].map((c) => c.close()));
});
