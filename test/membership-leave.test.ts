import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MembershipKind } from '../src/cluster/membership.ts';
import { assertAgreement, SimNetwork } from './support/sim-network.ts';

const [A, B, C] = ['skein://10.0.0.1:7001', 'skein://10.0.0.2:7001', 'skein://10.0.0.3:7001'];

async function threeMembers(net = new SimNetwork()): Promise<SimNetwork> {
  net.start(A, []);
  net.start(B, [A]);
  net.start(C, [A]);
  await net.run(1000);
  assert.deepEqual(assertAgreement(net), { epoch: 3, members: [A, B, C] });
  return net;
}

/** Runs the network until `p` settles (at most `ms` of simulated time) and says whether it did. */
async function settles(net: SimNetwork, p: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let t = 0; t < ms && !done; t += 10) await net.run(10);
  return done;
}

test('a member leaves: the coordinator installs a view without it, at once, and the leaver stops', async () => {
  const net = await threeMembers();
  const b = net.nodes.get(B)!;
  assert.ok(await settles(net, b.membership.leave(), 100), 'resolves when the view without it arrives');
  assert.equal(b.evicted, undefined, 'leaving is not an eviction');
  b.up = false;
  assert.deepEqual(assertAgreement(net), { epoch: 4, members: [A, C] });
  const sent = net.sent.length;
  await net.run(3000);
  assert.ok(net.sent.slice(sent).every((m) => m.from !== B), 'a member that left sends nothing');
  assert.equal(assertAgreement(net).epoch, 4);
});

test('the coordinator leaves: it issues the view without itself, and the next member coordinates', async () => {
  const net = await threeMembers();
  assert.ok(await settles(net, net.nodes.get(A)!.membership.leave(), 10));
  net.nodes.get(A)!.up = false;
  await net.run(10);
  assert.deepEqual(assertAgreement(net), { epoch: 4, members: [B, C] });
  net.start(A, [C]);
  await net.run(500);
  assert.deepEqual(assertAgreement(net), { epoch: 5, members: [A, B, C] });
});

test('a leave whose messages are all lost still resolves, after failAfterMs, and the others remove the member', async () => {
  const net = await threeMembers(new SimNetwork({ drop: (from, _to, msg) => from === C && msg[0] === MembershipKind.Leave }));
  const c = net.nodes.get(C)!;
  const left = c.membership.leave();
  assert.equal(await settles(net, left, 1400), false);
  assert.ok(await settles(net, left, 200));
  c.up = false;
  await net.run(2000);
  assert.deepEqual(assertAgreement(net), { epoch: 4, members: [A, B] });
});

test('leave before joining only stops', async () => {
  const net = new SimNetwork();
  const b = net.start(B, [A]);
  await b.membership.leave();
  await net.run(20_000);
  assert.ok(b.started instanceof Error);
  assert.equal(net.sent.length, 1, 'only the first join went out');
});
