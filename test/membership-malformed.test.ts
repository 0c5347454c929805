import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MembershipKind } from '../src/cluster/membership.ts';
import { assertAgreement, SimNetwork } from './support/sim-network.ts';

const [A, B, C] = ['skein://10.0.0.1:7001', 'skein://10.0.0.2:7001', 'skein://10.0.0.3:7001'];
const { Join, View, Heartbeat, Leave } = MembershipKind;

async function threeMembers(): Promise<SimNetwork> {
  const net = new SimNetwork();
  net.start(A, []);
  net.start(B, [A]);
  net.start(C, [A]);
  await net.run(1000);
  assert.deepEqual(assertAgreement(net), { epoch: 3, members: [A, B, C] });
  return net;
}

test('malformed messages are ignored: no throw, no change of view, the cluster goes on', async () => {
  const net = await threeMembers();
  const bad: unknown[] = [
    undefined, null, 0, 'view', {}, [], [99], [Join], [Join, 7], [Leave, null],
    [View], [View, 0, [A], A], [View, -1, [A], A], [View, 1.5, [A], A], [View, NaN, [A], A], [View, Infinity, [A], A],
    [View, 9, [], A], [View, 9, 'abc', A], [View, 9, [A, 3], A], [View, 9, [A, B, C], 5], [View, '9', [A, B, C], A],
    [Heartbeat], [Heartbeat, 'x', A], [Heartbeat, 0, A], [Heartbeat, 2 ** 60, A], [Heartbeat, 9, null],
    { 0: View, 1: 9, 2: [A], 3: A, length: 4 },
  ];
  for (const to of [A, B]) for (const msg of bad) net.inject(C, to, msg);
  for (const msg of bad) net.inject(7 as unknown as string, A, msg);
  net.inject(undefined as unknown as string, A, [Heartbeat, 3, A]);
  await net.run(3000);
  assert.deepEqual(assertAgreement(net), { epoch: 3, members: [A, B, C] });
  for (const url of [A, B, C]) assert.equal(net.nodes.get(url)!.views.length, 3 - [A, B, C].indexOf(url), `${url} installed no other view`);
});

test('any value received is ignored or handled without a throw', async () => {
  const net = await threeMembers();
  fc.assert(
    fc.property(fc.string(), fc.anything(), fc.constantFrom(Join, View, Heartbeat, Leave), fc.array(fc.anything(), { maxLength: 4 }), (from, any, kind, rest) => {
      for (const url of [A, B]) {
        net.inject(from, url, any);
        net.inject(from, url, [kind, ...rest]);
      }
    }),
  );
});
