/**
 * `barrier`: 32 parties through 200 rounds of `CyclicBarrier.await`, node in another process,
 * the round time compared with one `dso-latency` call (incrementAndGet, 1 outstanding) measured
 * in the same run. Two shapes: the parties spread over one connection per core, as the local
 * backend places cloud threads (threads of one worker share its client, so their calls batch),
 * which is the targeted figure; and one connection per party, reported beside it.
 */
import os from 'node:os';
import { AtomicLong, CyclicBarrier, connect } from '../../src/index.ts';
import type { Client } from '../../src/client/client.ts';
import { latency, timeSequential } from '../support.ts';
import type { ScenarioResult } from '../result.ts';
import { startDsoNode } from './dso-node.ts';

/** Runs the scenario. */
export async function barrier(parties = 32, rounds = 200): Promise<ScenarioResult> {
  const node = await startDsoNode();
  const clients: Client[] = [];
  try {
    for (let i = 0; i < parties; i++) clients.push(await connect({ url: node.url }));
    const counter = new AtomicLong({ key: 'bench-barrier-latency', client: clients[0]! });
    await timeSequential(2000, () => counter.incrementAndGet());
    const call = latency(await timeSequential(5000, () => counter.incrementAndGet()));
    const run = async (key: string, n: number, connections: number): Promise<number> => {
      const t0 = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: parties }, async (_, p) => {
          const b = new CyclicBarrier({ key, client: clients[p % connections]! }, parties);
          for (let r = 0; r < n; r++) await b.await({ timeoutMs: 60_000 });
        }),
      );
      return Number(process.hrtime.bigint() - t0) / 1000 / n;
    };
    const cores = Math.min(os.availableParallelism(), parties);
    await run('bench-barrier-warm', 500, cores);
    await run('bench-barrier-warm-separate', 200, parties);
    const shared = await run('bench-barrier-shared', rounds, cores);
    const separate = await run('bench-barrier-separate', rounds, parties);
    return {
      scenario: 'barrier',
      what: `${parties} parties x ${rounds} rounds of CyclicBarrier.await, on ${cores} connections and on ${parties}`,
      skein: { [`round_us ${cores} conns`]: shared, [`round_us ${parties} conns`]: separate },
      peers: { 'dso-latency call': { p50_us: call.p50 } },
      ratios: { [`round (${cores} conns) vs one call`]: shared / call.p50, [`round (${parties} conns) vs one call`]: separate / call.p50 },
      targets: { [`round (${cores} conns) vs one call`]: { max: 3 } },
    };
  } finally {
    for (const c of clients) await c.close();
    await node.stop();
  }
}
