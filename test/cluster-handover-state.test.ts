import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SkeinError } from '../src/index.ts';
import { Ledger, TallyHolder } from './fixtures/shared-classes.ts';
import { clusterClient, killMembers, ownerOf, startCluster, waitForMembers } from './support/cluster.ts';

after(killMembers);

const OBJECTS = ['test/fixtures/shared-classes.ts'];

test('a member that leaves hands its user objects over with their state; one whose state cannot travel is answered EOBJECT_LOST, never made anew empty', { timeout: 90_000 }, async () => {
  const members = await startCluster(2, 1, { objects: OBJECTS });
  const client = clusterClient(members);
  await waitForMembers(client, members.map((m) => m.url));
  const leaving = members[0]!;
  // Keys the leaving member owns.
  const keys = Array.from({ length: 200 }, (_, i) => `moving-${i}`).filter((k) => ownerOf(k, members) === leaving);
  const [ledgerKey, tallyKey] = keys as [string, string];
  const ledger = new Ledger({ key: ledgerKey, client });
  await ledger.open('a', 10);
  await ledger.transfer('a', 'b', 4);
  const tally = new TallyHolder({ key: tallyKey, client });
  assert.equal(await tally.bump(), 1);
  assert.equal(await tally.bump(), 2);

  await leaving.stop();
  const rest = members.filter((m) => m !== leaving);
  await waitForMembers(client, rest.map((m) => m.url));

  // Ledger declares its helper classes: it moved with its state.
  assert.deepEqual(((await ledger.state()) as { balances: unknown }).balances, [['a', 6], ['b', 4]]);
  // TallyHolder's PrivateTally is not declared: the key says what happened instead of starting over.
  await assert.rejects(tally.bump(), (err: unknown) => {
    assert.ok(err instanceof SkeinError);
    assert.equal(err.code, 'EOBJECT_LOST');
    assert.match(err.message, /lost moving between members: .*PrivateTally/);
    return true;
  });
  assert.equal(await tally.destroy(), true, 'destroy clears the tombstone');
  assert.equal(await new TallyHolder({ key: tallyKey, client }).bump(), 1, 'and the key can be used anew');
  await client.close();
  await Promise.all(rest.map((m) => m.stop()));
});
