import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AtomicLong, AtomicReference } from '../src/index.ts';
import {
  checkLinearizable,
  counterModel,
  registerModel,
  type CounterInput,
  type Operation,
  type RegisterInput,
} from './support/linearizability.ts';
import { clusterClient, killMembers, ownerOf, startCluster, waitForMembers } from './support/cluster.ts';

after(killMembers);

/** mulberry32: a seeded generator, so a failing history can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Runs `op`, recording when it was invoked and when it returned. An operation that fails has an
 * unknown outcome (it may or may not have taken effect), which the checker allows for.
 */
async function timed<I, O>(history: Operation<I, O>[], key: string, client: number, input: I, op: () => Promise<O>): Promise<void> {
  const invoked = performance.now();
  try {
    const output = await op();
    history.push({ key, client, input, output, invoked, returned: performance.now() });
  } catch {
    history.push({ key, client, input, output: undefined, invoked, returned: Infinity });
  }
}

const CLIENTS = 8;
const OPS = 150;

test('3 members, rf 2: a history of counter and register operations with the hot owner killed midway is linearizable', { timeout: 120_000 }, async () => {
  const members = await startCluster(3, 2);
  const clients = Array.from({ length: CLIENTS }, () => clusterClient(members));
  await waitForMembers(clients[0]!, members.map((m) => m.url));
  const counters: Operation<CounterInput, unknown>[] = [];
  const registers: Operation<RegisterInput, unknown>[] = [];
  const victim = ownerOf('lin-c0', members);
  let killed: Promise<void> | undefined;
  let killedAt = Infinity;

  await Promise.all(
    clients.map(async (client, id) => {
      const next = random(2000 + id);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
      const longs = ['lin-c0', 'lin-c1'].map((key) => new AtomicLong({ key, client }));
      const refs = ['lin-r0', 'lin-r1'].map((key) => new AtomicReference<string>({ key, client }));
      for (let i = 0; i < OPS; i++) {
        if (next() < 0.5) {
          const c = pick(longs);
          // Midway through the whole history, the owner of lin-c0 dies with an operation on it in flight.
          if (!killed && c.key === 'lin-c0' && counters.length + registers.length >= (CLIENTS * OPS) / 2) {
            const inFlight = timed(counters, c.key, id, { op: 'addAndGet', delta: 1 }, () => c.addAndGet(1));
            killed = victim.kill().then(() => void (killedAt = performance.now()));
            await inFlight;
            continue;
          }
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
