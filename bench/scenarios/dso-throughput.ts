/**
 * `dso-throughput`: AtomicLong.incrementAndGet with 64 calls outstanding, from one client and from
 * 4 clients (connections) of this process, node in another process; against Redis INCR through
 * ioredis with the same shapes. Rounds alternate; the median of each is reported.
 */
import { AtomicLong, connect } from '../../src/index.ts';
import type { Client } from '../../src/client/client.ts';
import { median, windowed } from '../load.ts';
import { startRedis } from '../peers/redis.ts';
import type { ScenarioResult } from '../result.ts';
import { startDsoNode } from './dso-node.ts';

const WINDOW = 64;
const ROUNDS = 5;

/** Spreads `total` calls over clients, each with `WINDOW` outstanding; ops/s overall. */
async function spread(total: number, ops: Array<() => Promise<unknown>>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(ops.map((op) => windowed(Math.floor(total / ops.length), WINDOW, op)));
  return total / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Runs the scenario with `total` calls per measurement. */
export async function dsoThroughput(total = 100_000): Promise<ScenarioResult> {
  const node = await startDsoNode();
  const redisServer = await startRedis();
  const clients: Client[] = [];
  try {
    for (let i = 0; i < 4; i++) clients.push(await connect({ url: node.url }));
    const redises = await Promise.all([0, 1, 2, 3].map(() => redisServer.connect()));
    const skeinOps = clients.map((client) => {
      const counter = new AtomicLong({ key: 'bench-throughput', client });
      return () => counter.incrementAndGet();
    });
    const redisOps = redises.map((r) => () => r.incr('bench-throughput'));
    await spread(total / 4, skeinOps.slice(0, 1));
    await spread(total / 4, redisOps.slice(0, 1));
    const s1: number[] = [];
    const r1: number[] = [];
    const s4: number[] = [];
    const r4: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      s1.push(await spread(total, skeinOps.slice(0, 1)));
      r1.push(await spread(total, redisOps.slice(0, 1)));
      s4.push(await spread(total, skeinOps));
      r4.push(await spread(total, redisOps));
    }
    for (const r of redises) r.disconnect();
    const [a, b, c, d] = [median(s1), median(r1), median(s4), median(r4)];
    return {
      scenario: 'dso-throughput',
      what: 'AtomicLong.incrementAndGet, 64 outstanding per client, node in another process',
      skein: { '1 client ops/s': a, '4 clients ops/s': c },
      peers: { 'redis-incr': { '1 client ops/s': b, '4 clients ops/s': d } },
      ratios: { '1 client vs redis': a / b, '4 clients vs redis': c / d },
      targets: { '1 client vs redis': { min: 1 }, '4 clients vs redis': { min: 1 } },
    };
  } finally {
    for (const c of clients) await c.close();
    await node.stop();
    await redisServer.stop();
  }
}
