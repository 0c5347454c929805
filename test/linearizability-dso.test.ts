import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, AtomicReference } from '../src/index.ts';
import type { Client } from '../src/client/client.ts';
import {
  checkLinearizable,
  counterModel,
  registerModel,
  type CounterInput,
  type Operation,
  type RegisterInput,
} from './support/linearizability.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await testNode()));
after(() => t.close());

/** mulberry32: a seeded generator, so a failing history can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Runs `op`, recording when it was invoked and when it returned, in milliseconds. */
async function timed<I, O>(history: Operation<I, O>[], key: string, client: number, input: I, op: () => Promise<O>): Promise<void> {
  const invoked = performance.now();
  const output = await op();
  history.push({ key, client, input, output, invoked, returned: performance.now() });
}

const CONNECTIONS = 8;
const LOGICAL_PER_CONNECTION = 2;
const OPS = 60;

test('a recorded history of counter and register operations from 16 clients on 8 connections is linearizable', async () => {
  const clients: Client[] = [];
  for (let i = 0; i < CONNECTIONS; i++) clients.push(await t.client());
  const counters: Operation<CounterInput, unknown>[] = [];
  const registers: Operation<RegisterInput, unknown>[] = [];

  await Promise.all(
    Array.from({ length: CONNECTIONS * LOGICAL_PER_CONNECTION }, async (_, id) => {
      const client = clients[id % CONNECTIONS]!;
      const next = random(1000 + id);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
      const longs = ['lin-c0', 'lin-c1'].map((key) => new AtomicLong({ key, client }));
      const refs = ['lin-r0', 'lin-r1'].map((key) => new AtomicReference<string>({ key, client }));
      for (let i = 0; i < OPS; i++) {
        if (next() < 0.5) {
          const c = pick(longs);
          const roll = next();
          if (roll < 0.35) await timed(counters, c.key, id, { op: 'get' }, () => c.get());
          else if (roll < 0.75) {
            const delta = 1 + Math.floor(next() * 3);
            await timed(counters, c.key, id, { op: 'addAndGet', delta }, () => c.addAndGet(delta));
          } else if (roll < 0.85) {
            const value = Math.floor(next() * 5);
            await timed(counters, c.key, id, { op: 'set', value }, () => c.set(value).then(() => null));
          } else {
            const expected = Math.floor(next() * 8);
            const nextValue = Math.floor(next() * 8);
            await timed(counters, c.key, id, { op: 'compareAndSet', expected, next: nextValue }, () => c.compareAndSet(expected, nextValue));
          }
        } else {
          const r = pick(refs);
          const roll = next();
          const value = pick(['x', 'y', 'z', null]);
          if (roll < 0.4) await timed(registers, r.key, id, { op: 'get' }, () => r.get());
          else if (roll < 0.75) await timed(registers, r.key, id, { op: 'set', value }, () => r.set(value).then(() => null));
          else {
            const expected = pick(['x', 'y', 'z', null]);
            await timed(registers, r.key, id, { op: 'compareAndSet', expected, next: value }, () => r.compareAndSet(expected, value));
          }
        }
      }
    }),
  );

  assert.equal(counters.length + registers.length, CONNECTIONS * LOGICAL_PER_CONNECTION * OPS);
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
