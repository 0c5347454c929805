import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MembershipKind } from '../src/cluster/membership.ts';
import { assertAgreement, SimNetwork } from './support/sim-network.ts';

const [A, B, C, D, E] = ['skein://10.0.0.1:7001', 'skein://10.0.0.2:7001', 'skein://10.0.0.3:7001', 'skein://10.0.0.4:7001', 'skein://10.0.0.5:7001'];

/** A, B, C and D in one cluster at epoch 4, all started at the same moment (heartbeats in phase). */
async function fourMembers(net = new SimNetwork()): Promise<SimNetwork> {
  net.start(A, []);
  for (const url of [B, C, D]) net.start(url, [A]);
  await net.run(1000);
  assert.deepEqual(assertAgreement(net), { epoch: 4, members: [A, B, C, D] });
  return net;
}

/** The views each live member installed after `epoch`. */
function viewsAfter(net: SimNetwork, epoch: number): unknown[][] {
  return net.live().map((url) => net.nodes.get(url)!.views.filter((v) => v.epoch > epoch));
}

test('the coordinator crashes: the next smallest member takes over and removes it, one view seen by all', async () => {
  const net = await fourMembers();
  net.crash(A);
  await net.run(1300);
  assert.equal(net.nodes.get(B)!.membership.view().epoch, 4, 'not suspected before failAfterMs');
  await net.run(1000);
  assert.deepEqual(assertAgreement(net), { epoch: 5, members: [B, C, D] });
  for (const views of viewsAfter(net, 4)) assert.deepEqual(views, [{ epoch: 5, members: [B, C, D] }]);
  await net.run(10_000);
  assert.equal(assertAgreement(net).epoch, 5, 'quiet once converged');
});

test('a member that is not the coordinator crashes and is removed', async () => {
  const net = await fourMembers();
  net.crash(C);
  await net.run(2500);
  assert.deepEqual(assertAgreement(net), { epoch: 5, members: [A, B, D] });
  for (const views of viewsAfter(net, 4)) assert.deepEqual(views, [{ epoch: 5, members: [A, B, D] }]);
});

test('two members crash at once, the coordinator among them: one view removes both', async () => {
  const net = await fourMembers();
  net.crash(A);
  net.crash(C);
  await net.run(2500);
  assert.deepEqual(assertAgreement(net), { epoch: 5, members: [B, D] });
  for (const views of viewsAfter(net, 4)) assert.deepEqual(views, [{ epoch: 5, members: [B, D] }]);
});

test('a member joins while another is failing: it is admitted, the failed one removed', async () => {
  const net = await fourMembers();
  net.crash(C);
  await net.run(500);
  const e = net.start(E, [B]);
  await net.run(300);
  assert.deepEqual(e.started, { epoch: 5, members: [A, B, C, D, E] });
  await net.run(3000);
  assert.deepEqual(assertAgreement(net), { epoch: 6, members: [A, B, D, E] });
  assert.deepEqual(e.evicted, undefined, 'the joiner is not suspected before it had time to heartbeat');
});

test('a crashed member that comes back with the same URL after its removal joins as a new member', async () => {
  const net = await fourMembers();
  net.crash(B);
  await net.run(2500);
  assert.deepEqual(assertAgreement(net), { epoch: 5, members: [A, C, D] });
  const b = net.start(B, [C]);
  await net.run(500);
  assert.deepEqual(assertAgreement(net), { epoch: 6, members: [A, B, C, D] });
  assert.deepEqual(b.views, [{ epoch: 6, members: [A, B, C, D] }], 'the new instance starts from the view that admits it');
});

test('a member that restarts with the same URL before it was removed is removed and admitted anew', async () => {
  const net = await fourMembers();
  const before = net.nodes.get(A)!.membership.view().epoch;
  net.crash(B);
  // Back at once, well within failAfterMs: the others still count the old B as a member.
  const b = net.start(B, [C]);
  await net.run(500);
  const a = net.nodes.get(A)!;
  // The old B leaves the view (its objects fail over) before the new one is admitted.
  assert.deepEqual(a.views.slice(-2), [
    { epoch: before + 1, members: [A, C, D] },
    { epoch: before + 2, members: [A, B, C, D] },
  ]);
  assert.deepEqual(b.views, [{ epoch: before + 2, members: [A, B, C, D] }], 'the new instance starts from the view that admits it');
  assert.deepEqual(assertAgreement(net), { epoch: before + 2, members: [A, B, C, D] });
});

test('a lost view reaches a member through the heartbeats of those that have it', async () => {
  const net = new SimNetwork({ drop: (from, to, msg) => from === A && to === D && msg[0] === MembershipKind.View && msg[1] === 5 });
  await fourMembers(net);
  net.crash(C);
  await net.run(2000);
  assert.deepEqual(assertAgreement(net), { epoch: 5, members: [A, B, D] });
  assert.ok(net.sent.some((m) => m.from !== A && m.to === D && (m.msg as unknown[])[0] === MembershipKind.View), 'D got it from B');
});

test('a member silent for failAfterMs but alive is removed, and evicted (and stops) once it hears so', async () => {
  let mute = false;
  const net = await fourMembers(new SimNetwork({ drop: (from) => mute && from === D }));
  mute = true;
  await net.run(2500);
  assert.deepEqual(net.nodes.get(A)!.membership.view(), { epoch: 5, members: [A, B, C] });
  assert.equal(net.nodes.get(D)!.evicted, undefined);
  mute = false;
  await net.run(500);
  assert.deepEqual(net.nodes.get(D)!.evicted, { epoch: 5, members: [A, B, C] });
  assert.equal(net.nodes.get(D)!.membership.view().epoch, 4, 'the view it was evicted by is not installed');
  const sent = net.sent.length;
  await net.run(1000);
  assert.ok(net.sent.slice(sent).every((m) => m.from !== D), 'an evicted member sends nothing');
  assert.deepEqual(assertAgreement(net), { epoch: 5, members: [A, B, C] });
});

test('two coordinators issue the same epoch: every member ends on the one from the smaller URL', async () => {
  let cut = false;
  const net = new SimNetwork({
    drop: (from, to) => cut && ((from === A && to === B) || (from === B && to === A)),
    delay: (from) => (from === B ? 1 : 50),
  });
  net.start(A, []);
  net.start(B, [A]);
  net.start(C, [A]);
  await net.run(1000);
  assert.deepEqual(assertAgreement(net), { epoch: 3, members: [A, B, C] });
  cut = true;
  await net.run(1700);
  cut = false;
  await net.run(2000);
  const c = net.nodes.get(C)!;
  assert.deepEqual(c.views.slice(-2), [{ epoch: 4, members: [B, C] }, { epoch: 4, members: [A, C] }], 'B issued epoch 4 first, A won it');
  assert.deepEqual(net.nodes.get(B)!.evicted, { epoch: 4, members: [A, C] });
  assert.deepEqual(net.nodes.get(A)!.membership.view(), c.membership.view());
  assert.deepEqual(c.membership.view(), { epoch: 4, members: [A, C] });
});
