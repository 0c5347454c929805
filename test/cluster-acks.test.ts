import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AtomicLong } from '../src/index.ts';
import { clusterClient, killMembers, startCluster, waitForMembers } from './support/cluster.ts';

after(killMembers);

test('replies a client acknowledged are forgotten by the backups too, not only by the owner', { timeout: 60_000 }, async () => {
  const members = await startCluster(2, 2);
  const client = clusterClient(members);
  await waitForMembers(client, members.map((m) => m.url));
  const counters = Array.from({ length: 10 }, (_, i) => new AtomicLong({ key: `acked-${i}`, client }));
  for (let round = 0; round < 200; round++) await Promise.all(counters.map((c) => c.incrementAndGet()));
  // One more call carries the last acknowledgements; its own reply is at most a batch behind.
  await client.ping();
  await Promise.all(counters.map((c) => c.get()));
  const infos = await client.infoAll();
  // 2000 mutating calls, every one applied on both members: without acks reaching the backups,
  // each member would keep about a thousand of the other's replies.
  for (const info of infos) assert.ok(info.keptReplies < 100, `${info.url} keeps ${info.keptReplies} replies`);
  assert.equal(infos.reduce((n, i) => n + i.objects, 0), 20, 'every counter has its two copies');
  await client.close();
  await Promise.all(members.map((m) => m.stop()));
});
