import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AtomicLong } from '../src/index.ts';
import { clusterClient, clusterEtcd, killMembers, ownerOf, startMember, tempDir, waitForMembers, type Member } from './support/cluster.ts';

after(killMembers);

test('a member restarted on its data directory serves the cluster\'s current state, not its journal: objects destroyed while it was down stay destroyed, the others keep their newer values', { timeout: 90_000 }, async () => {
  const etcd = (await clusterEtcd()).url;
  const cluster = `rejoin-${process.pid}`;
  const dirs = [0, 1, 2].map(() => tempDir());
  for (const d of dirs) after(() => d.remove());
  const members: Member[] = [];
  for (let i = 0; i < 3; i++) members.push(await startMember({ rf: 2, etcd, cluster, dataDir: dirs[i]!.dir }));
  const restarted = members[0]!;
  const keys = Array.from({ length: 60 }, (_, i) => `rejoin-${i}`);
  // Keys the restarted member owns, so its journal holds their old state.
  const its = keys.filter((k) => ownerOf(k, members) === restarted);
  assert.ok(its.length >= 6, `the member owns ${its.length} keys`);
  const doomed = its.slice(0, 3);
  const client = clusterClient(members);
  await waitForMembers(client, members.map((m) => m.url));
  for (const key of keys) await new AtomicLong({ key, client }).addAndGet(5);

  await restarted.kill();
  await waitForMembers(client, members.slice(1).map((m) => m.url));
  for (const key of doomed) assert.equal(await client.destroy(key), true);
  for (const key of keys) if (!doomed.includes(key)) await new AtomicLong({ key, client }).addAndGet(100);

  const back = await startMember({ rf: 2, etcd, cluster, port: restarted.port, dataDir: dirs[0]!.dir });
  await waitForMembers(client, members.map((m) => m.url));
  assert.ok(back.url === restarted.url);
  const listed = await client.keys('rejoin-');
  assert.deepEqual(listed, keys.filter((k) => !doomed.includes(k)).sort(), 'destroyed objects are not listed by any member');
  for (const key of keys) {
    const expected = doomed.includes(key) ? 0 : 105;
    assert.equal(await new AtomicLong({ key, client }).get(), expected, key);
  }
  await client.close();
});
