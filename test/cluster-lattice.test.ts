import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LwwRegister, PnCounter, session } from '../src/index.ts';
import type { Client } from '../src/client/client.ts';
import { clusterClient, killMembers, ownerOf, startCluster, waitForMembers } from './support/cluster.ts';
import { until } from './support/progress.ts';

after(killMembers);

test('3 members, rf 2: PnCounter adds from 4 caches survive the kill of the hot key\'s owner, none lost or doubled', { timeout: 90_000 }, async () => {
  const members = await startCluster(3, 2);
  const keys = ['lattice-hot', 'lattice-a', 'lattice-b'];
  const clients = Array.from({ length: 4 }, () => clusterClient(members));
  await waitForMembers(clients[0]!, members.map((m) => m.url));
  const stop = { done: false };
  const issued = new Map<string, number>();
  const progress = new EventEmitter().setMaxListeners(0);
  let flushed = 0;
  const loop = async (client: Client): Promise<void> => {
    const counters = keys.map((key) => new PnCounter({ key, client }));
    for (let i = 0; !stop.done; i++) {
      const c = counters[i % counters.length]!;
      await c.add(1);
      issued.set(c.key, (issued.get(c.key) ?? 0) + 1);
      // Every 25 adds, wait until they are at the node: progress counts acknowledged writes.
      if (i % 25 === 24) {
        await client.flushWrites();
        flushed++;
        progress.emit('step');
      }
    }
  };
  const loops = clients.map(loop);
  const victim = ownerOf('lattice-hot', members);
  await until(progress, loops, () => flushed >= 8);
  await victim.kill();
  const survivors = members.filter((m) => m !== victim);
  await waitForMembers(clients[0]!, survivors.map((m) => m.url));
  const before = flushed;
  await until(progress, loops, () => flushed >= before + 8);
  stop.done = true;
  await Promise.all(loops);
  await Promise.all(clients.map((c) => c.close()));
  const checker = clusterClient(survivors);
  for (const key of keys) {
    assert.equal(await new PnCounter({ key, client: checker }).value(), issued.get(key), `counter ${key}`);
  }
  await checker.close();
  await Promise.all(survivors.map((m) => m.stop()));
});

test('causal across members: a reader that sees b = i sees a >= i, with a and b owned by different members', { timeout: 60_000 }, async () => {
  const members = await startCluster(3, 1);
  const writerClient = clusterClient(members);
  const readerClient = clusterClient(members);
  await waitForMembers(writerClient, members.map((m) => m.url));
  await waitForMembers(readerClient, members.map((m) => m.url));
  // Two keys on two members, so their writes and pushes travel on separate connections.
  let a = 'causal-a-0';
  let b = 'causal-b-0';
  for (let i = 1; ownerOf(a, members) === ownerOf(b, members); i++) b = `causal-b-${i}`;
  const n = 150;
  const writing = session({ consistency: 'causal' });
  const reading = session({ consistency: 'causal' });
  const wa = new LwwRegister<number>({ key: a, client: writerClient, session: writing }, 0);
  const wb = new LwwRegister<number>({ key: b, client: writerClient, session: writing }, 0);
  const ra = new LwwRegister<number>({ key: a, client: readerClient, session: reading }, 0);
  const rb = new LwwRegister<number>({ key: b, client: readerClient, session: reading }, 0);
  const writer = (async () => {
    for (let i = 1; i <= n; i++) {
      await wa.set(i);
      await wb.set(i);
      await nextTurn();
    }
    await writerClient.flushWrites();
  })();
  let anomalies = 0;
  let seen = 0;
  // Each round waits for the next push of b: no busy loop, and bounded by the writes.
  for (let round = 0; round < 10_000 && seen < n; round++) {
    const before = readerClient.lattices.versionOf(b);
    const vb = await rb.get();
    const va = await ra.get();
    if (va < vb) anomalies++;
    seen = Math.max(seen, vb);
    if (seen < n) await readerClient.lattices.changed(b, before);
  }
  await writer;
  assert.equal(anomalies, 0);
  assert.equal(seen, n, 'the reader saw the last write');
  await Promise.all([writerClient.close(), readerClient.close()]);
  await Promise.all(members.map((m) => m.stop()));
});
