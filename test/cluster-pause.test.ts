import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AtomicLong } from '../src/index.ts';
import { MOVED, Op } from '../src/protocol/messages.ts';
import { clusterClient, killMembers, ownerOf, startCluster, waitForMembers } from './support/cluster.ts';
import { RawPeer } from './support/node.ts';

after(killMembers);

test('a member paused past its lease never answers from its stale state when it wakes, and the counter goes on from the new owner', { timeout: 90_000 }, async () => {
  const members = await startCluster(3, 2);
  const key = 'paused-hot';
  const paused = ownerOf(key, members);
  const rest = members.filter((m) => m !== paused);
  const client = clusterClient(members);
  await waitForMembers(client, members.map((m) => m.url));
  const counter = new AtomicLong({ key, client });
  for (let i = 1; i <= 20; i++) assert.equal(await counter.incrementAndGet(), i);

  // A raw connection to the owner, opened while it still serves: what it answers after waking
  // is what a client with the old view would get.
  const raw = await RawPeer.handshake(paused.url);
  paused.child.kill('SIGSTOP');
  try {
    // The others take the key over only once the paused member's lease has expired.
    await waitForMembers(client, rest.map((m) => m.url));
    for (let i = 21; i <= 30; i++) assert.equal(await counter.incrementAndGet(), i, 'the new owner has every acknowledged increment');
    // Sent while the member is stopped: the first thing it reads when it wakes.
    raw.send([[Op.Call, 1, 'AtomicLong', key, 'get', []]]);
  } finally {
    paused.child.kill('SIGCONT');
  }
  // MOVED (it may not serve), or its connection closed (it learnt first that its lease is gone
  // and closed every connection of that run): never the 20 its own copy holds.
  const reply = await raw.replyTo(1).catch(() => undefined);
  if (reply === undefined) assert.ok(raw.closed, 'no reply only because the node closed the connection');
  else assert.equal(reply[1], MOVED, `the woken member answered ${JSON.stringify(reply)}`);
  raw.close();

  // It comes back as a new run of the member, and the counter is still exactly where it was.
  await waitForMembers(client, members.map((m) => m.url));
  assert.equal(await counter.incrementAndGet(), 31);
  assert.equal(await new AtomicLong({ key, client: clusterClient([paused]) }).get(), 31, 'a client that knows only the woken member is routed to the current state');
  await client.close();
});
