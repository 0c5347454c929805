import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MembershipKind } from '../src/cluster/membership.ts';
import { TimeoutError } from '../src/errors/timeout-error.ts';
import { assertAgreement, SimNetwork } from './support/sim-network.ts';

const [A, B, C, D, E] = ['skein://10.0.0.1:7001', 'skein://10.0.0.2:7001', 'skein://10.0.0.3:7001', 'skein://10.0.0.4:7001', 'skein://10.0.0.5:7001'];

test('a member without seeds is a cluster of one at epoch 1, and stays so', async () => {
  const net = new SimNetwork();
  const a = net.start(A, []);
  await net.run(0);
  assert.deepEqual(a.started, { epoch: 1, members: [A] });
  await net.run(10_000);
  assert.deepEqual(a.views, [{ epoch: 1, members: [A] }]);
  assert.equal(net.sent.length, 0, 'no one to heartbeat');
});

test('three members join through one seed, one at a time, and all converge on the same view', async () => {
  const net = new SimNetwork();
  net.start(A, []);
  for (const url of [B, C, D]) {
    await net.run(300);
    net.start(url, [A]);
  }
  await net.run(3000);
  const view = assertAgreement(net);
  assert.deepEqual(view, { epoch: 4, members: [A, B, C, D] });
  for (const url of [B, C, D]) assert.deepEqual(net.nodes.get(url)!.started, net.nodes.get(url)!.views[0]);
  assert.deepEqual(net.nodes.get(B)!.views.map((v) => v.epoch), [2, 3, 4]);
});

test('joins sent at the same moment are admitted one view each', async () => {
  const net = new SimNetwork();
  net.start(A, []);
  for (const url of [B, C, D]) net.start(url, [A]);
  await net.run(3000);
  assert.deepEqual(assertAgreement(net), { epoch: 4, members: [A, B, C, D] });
});

test('a join sent to a member that is not the coordinator is forwarded to it', async () => {
  const net = new SimNetwork();
  net.start(A, []);
  net.start(B, [A]);
  await net.run(500);
  net.start(C, [B]);
  await net.run(500);
  assert.deepEqual(assertAgreement(net), { epoch: 3, members: [A, B, C] });
  assert.ok(net.sent.some((m) => m.from === B && m.to === A && Array.isArray(m.msg) && m.msg[0] === MembershipKind.Join), 'B forwarded the join');
});

test('a join retries, rotating seeds, until one that is up answers', async () => {
  const net = new SimNetwork();
  net.start(A, []);
  const e = net.start(E, [D, C, A]);
  await net.run(2000);
  assert.deepEqual(e.started, { epoch: 2, members: [A, E] });
  assert.deepEqual(net.sent.filter((m) => m.from === E && (m.msg as unknown[])[0] === MembershipKind.Join).map((m) => m.to), [D, C, A]);
});

test('a lost view is resent to a joiner that asks again', async () => {
  let viewsToB = 0;
  const net = new SimNetwork({ drop: (_from, to, msg) => to === B && msg[0] === MembershipKind.View && viewsToB++ === 0 });
  net.start(A, []);
  const b = net.start(B, [A]);
  await net.run(1000);
  assert.equal(viewsToB, 2, 'the first view was lost, the second arrived');
  assert.deepEqual(b.started, { epoch: 2, members: [A, B] });
  assert.deepEqual(assertAgreement(net), { epoch: 2, members: [A, B] });
});

test('a join that no seed answers rejects with a TimeoutError naming the seeds, and stops', async () => {
  const net = new SimNetwork();
  const e = net.start(E, [C, D], { joinTimeoutMs: 5000 });
  await net.run(4900);
  assert.equal(e.started, undefined);
  await net.run(200);
  const outcome: unknown = e.started; // not narrowed to undefined by the check above
  assert.ok(outcome instanceof TimeoutError);
  assert.match(outcome.message, /skein:\/\/10\.0\.0\.5:7001 could not join a cluster through skein:\/\/10\.0\.0\.3:7001, skein:\/\/10\.0\.0\.4:7001 within 5000 ms/);
  const sent = net.sent.length;
  await net.run(5000);
  assert.equal(net.sent.length, sent, 'nothing sent after giving up');
});
