import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, AtomicReference } from '../src/index.ts';
import type { Client } from '../src/client/client.ts';
import { checkLinearizable, counterModel, registerModel } from './support/linearizability.ts';
import { random, randomOperation, type History } from './support/random-ops.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await testNode()));
after(() => t.close());

const CONNECTIONS = 8;
const LOGICAL_PER_CONNECTION = 2;
const OPS = 60;

test('a recorded history of counter and register operations from 16 clients on 8 connections is linearizable', async () => {
  const clients: Client[] = [];
  for (let i = 0; i < CONNECTIONS; i++) clients.push(await t.client());
  const history: History = { counters: [], registers: [] };
  const { counters, registers } = history;

  await Promise.all(
    Array.from({ length: CONNECTIONS * LOGICAL_PER_CONNECTION }, async (_, id) => {
      const client = clients[id % CONNECTIONS]!;
      const next = random(1000 + id);
      const longs = ['lin-c0', 'lin-c1'].map((key) => new AtomicLong({ key, client }));
      const refs = ['lin-r0', 'lin-r1'].map((key) => new AtomicReference<string>({ key, client }));
      for (let i = 0; i < OPS; i++) await randomOperation(id, next, longs, refs, history);
    }),
  );

  assert.equal(counters.length + registers.length, CONNECTIONS * LOGICAL_PER_CONNECTION * OPS);
  assert.deepEqual([...counters, ...registers].filter((op) => op.returned === Infinity), [], 'no operation failed');
  const c = checkLinearizable(counters, counterModel);
  assert.ok(c.ok, c.ok ? '' : `counter '${c.key}' is not linearizable; stuck: ${JSON.stringify(c.stuck.slice(0, 3))}`);
  const r = checkLinearizable(registers, registerModel);
  assert.ok(r.ok, r.ok ? '' : `register '${r.key}' is not linearizable; stuck: ${JSON.stringify(r.stuck.slice(0, 3))}`);

  // The history is not vacuous: the checker rejects it with one read's answer made impossible.
  const read = counters.findIndex((op) => op.input.op === 'get');
  assert.ok(read >= 0);
  const tampered = counters.map((op, i) => (i === read ? { ...op, output: -1 } : op));
  assert.equal(checkLinearizable(tampered, counterModel).ok, false);
});
