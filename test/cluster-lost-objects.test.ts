import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AtomicLong, ObjectLostError } from '../src/index.ts';
import { Placement } from '../src/cluster/placement.ts';
import { clusterClient, clusterEtcd, killMembers, startMember, tempDir, waitForMembers, type Member } from './support/cluster.ts';
import { runSkein, stopSkeins } from './support/node.ts';

after(killMembers);
after(stopSkeins);

/** Starts 3 members of a new cluster with rf 2, each with a data directory if asked. */
async function threeMembers(name: string, withData: boolean): Promise<{ members: Member[]; dirs: string[] }> {
  const etcd = (await clusterEtcd()).url;
  const cluster = `${name}-${process.pid}`;
  const dirs = withData ? [0, 1, 2].map(() => tempDir()) : [];
  for (const d of dirs) after(() => d.remove());
  const members: Member[] = [];
  for (let i = 0; i < 3; i++) members.push(await startMember({ rf: 2, etcd, cluster, ...(withData ? { dataDir: dirs[i]!.dir } : {}) }));
  return { members, dirs: dirs.map((d) => d.dir) };
}

/** Keys whose two copies are on `a` and `b` (and not on the third member). */
function keysHeldBy(a: Member, b: Member, members: readonly Member[], n: number): string[] {
  const placement = new Placement(members.map((m) => m.url));
  const want = [a.url, b.url].sort().join(',');
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const key = `lost-${i}`;
    if (placement.owners(key, 2).sort().join(',') === want) out.push(key);
  }
  return out;
}

/** Calls `op` and answers the error it rejects with (it must reject). */
async function rejection(op: () => Promise<unknown>): Promise<Error> {
  try {
    const value = await op();
    assert.fail(`expected an error, got ${JSON.stringify(value)}`);
  } catch (err) {
    return err as Error;
  }
}

test('both copies killed 300 ms apart: calls fail with ObjectLostError (no silent re-creation, also through the init-args resend), other keys are served, and skein admin forget-lost accepts the loss', { timeout: 90_000 }, async () => {
  const { members } = await threeMembers('lost', false);
  const [a, b, c] = members as [Member, Member, Member];
  const lost = keysHeldBy(a, b, members, 3);
  const kept = keysHeldBy(b, c, members, 1)[0]!;
  const client = clusterClient(members);
  await waitForMembers(client, members.map((m) => m.url));
  for (const key of [...lost, kept]) await new AtomicLong({ key, client }).addAndGet(7);

  await a.kill();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await b.kill();
  await waitForMembers(client, [c.url]);

  for (const key of lost) {
    const err = await rejection(() => new AtomicLong({ key, client }).incrementAndGet());
    assert.ok(err instanceof ObjectLostError, `${key}: ${err.name}: ${err.message}`);
    assert.equal((err as ObjectLostError).code, 'EOBJECT_LOST');
    assert.match(err.message, /forget-lost/);
  }
  // The kept key had a copy on the survivor.
  assert.equal(await new AtomicLong({ key: kept, client }).get(), 7);
  // A key never created, placed where the lost ones were, cannot be told apart from them.
  const fresh = keysHeldBy(a, b, members, 4)[3]!;
  assert.ok((await rejection(() => new AtomicLong({ key: fresh, client }).get())) instanceof ObjectLostError);

  const shown = await runSkein(['inspect', '--dso', c.url]);
  assert.match(shown.stdout, /lost regions: 1 .*forget-lost/, 'skein inspect tells of the loss');

  const forgot = await runSkein(['admin', 'forget-lost', '--etcd', a.etcd!, '--cluster', a.cluster!]);
  assert.equal(forgot.code, 0, forgot.stderr);
  assert.match(forgot.stdout, /forgot 1 lost region/);
  // The loss accepted, the objects are made anew from their init args once the status arrives.
  const counter = new AtomicLong({ key: lost[0]!, client });
  let value: number | undefined;
  for (let attempt = 0; attempt < 200 && value === undefined; attempt++) {
    try {
      value = await counter.incrementAndGet();
    } catch (err) {
      if (!(err instanceof ObjectLostError)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  assert.equal(value, 1);
  const again = await runSkein(['admin', 'forget-lost', '--etcd', a.etcd!, '--cluster', a.cluster!]);
  assert.match(again.stdout, /has no lost objects/);
  await client.close();
});

test('both copies killed, then one comes back with its data directory: the lost objects return with their values, destroyed ones stay destroyed', { timeout: 90_000 }, async () => {
  const { members, dirs } = await threeMembers('restore', true);
  const [a, b, c] = members as [Member, Member, Member];
  const lost = keysHeldBy(a, b, members, 4);
  const destroyed = lost.pop()!;
  const client = clusterClient(members);
  await waitForMembers(client, members.map((m) => m.url));
  for (const [i, key] of lost.entries()) await new AtomicLong({ key, client }).addAndGet(10 + i);
  await new AtomicLong({ key: destroyed, client }).addAndGet(99);
  assert.equal(await client.destroy(destroyed), true);

  await a.kill();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await b.kill();
  await waitForMembers(client, [c.url]);
  assert.ok((await rejection(() => new AtomicLong({ key: lost[0]!, client }).get())) instanceof ObjectLostError);

  const back = await startMember({ rf: 2, etcd: a.etcd!, cluster: a.cluster!, port: a.port, dataDir: dirs[0]! });
  await waitForMembers(client, [back.url, c.url]);
  for (const [i, key] of lost.entries()) assert.equal(await new AtomicLong({ key, client }).get(), 10 + i, `${key} came back`);
  // Destroyed before the failure: made anew (empty) on its next use, not brought back.
  assert.equal(await new AtomicLong({ key: destroyed, client }).get(), 0);
  assert.deepEqual((await client.keys('lost-')).sort(), [...lost, destroyed].sort());
  await client.close();
});
