import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AtomicLong, AtomicReference } from '../src/index.ts';
import { checkLinearizable, counterModel, registerModel } from './support/linearizability.ts';
import { random, randomOperation, type History } from './support/random-ops.ts';
import { clusterClient, killMembers, ownerOf, startCluster, waitForMembers } from './support/cluster.ts';

after(killMembers);

const CLIENTS = 8;
const OPS = 150;

test('3 members, rf 2: a history of counter and register operations with the hot owner killed midway is linearizable', { timeout: 120_000 }, async () => {
  const members = await startCluster(3, 2);
  const clients = Array.from({ length: CLIENTS }, () => clusterClient(members));
  await waitForMembers(clients[0]!, members.map((m) => m.url));
  const history: History = { counters: [], registers: [] };
  const { counters, registers } = history;
  const victim = ownerOf('lin-c0', members);
  let killed: Promise<void> | undefined;
  let killedAt = Infinity;
  // Midway through the whole history, the owner of lin-c0 dies with an operation on it in flight.
  const maybeKill = (key: string): void => {
    if (killed || key !== 'lin-c0' || counters.length + registers.length < (CLIENTS * OPS) / 2) return;
    killed = victim.kill().then(() => void (killedAt = performance.now()));
  };

  await Promise.all(
    clients.map(async (client, id) => {
      const next = random(2000 + id);
      const longs = ['lin-c0', 'lin-c1'].map((key) => new AtomicLong({ key, client }));
      const refs = ['lin-r0', 'lin-r1'].map((key) => new AtomicReference<string>({ key, client }));
      for (let i = 0; i < OPS; i++) await randomOperation(id, next, longs, refs, history, maybeKill);
    }),
  );
  await killed;

  assert.equal(counters.length + registers.length, CLIENTS * OPS);
  // Clients resend in-doubt calls, so a failover leaves no operation of unknown outcome.
  assert.deepEqual([...counters, ...registers].filter((op) => op.returned === Infinity), []);
  const c = checkLinearizable(counters, counterModel);
  assert.ok(c.ok, c.ok ? '' : `counter '${c.key}' is not linearizable; stuck: ${JSON.stringify(c.stuck.slice(0, 3))}`);
  const r = checkLinearizable(registers, registerModel);
  assert.ok(r.ok, r.ok ? '' : `register '${r.key}' is not linearizable; stuck: ${JSON.stringify(r.stuck.slice(0, 3))}`);
  // Operations on the killed member's object were in flight when it died, and completed.
  const across = counters.filter((op) => op.key === 'lin-c0' && op.invoked < killedAt && op.returned > killedAt);
  assert.ok(across.length > 0, 'no operation on lin-c0 spanned the kill');
  await Promise.all(clients.map((client) => client.close()));
});
