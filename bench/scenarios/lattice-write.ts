/**
 * `lattice-write`: 4 client processes (each its own Skein client, so its own lattice cache), each
 * keeping 16 adds outstanding (64 in all): `PnCounter.add(1)` against `AtomicLong.addAndGet(1)`
 * and Redis `INCRBY key 1` with the same shape; node in another process. A PnCounter add is done
 * when its promise resolves (merged into the cache); the time until every add has reached the node
 * (`flushWrites`) is reported too, and the node's value, read by a fresh client, must equal the
 * adds made (the AtomicLong and Redis counters likewise), or the scenario fails. Rounds alternate;
 * medians are reported. Throughput is the adds over the time from the first process's start to
 * the last one's end.
 */
import { fileURLToPath } from 'node:url';
import { AtomicLong, PnCounter, connect } from '../../src/index.ts';
import { median } from '../load.ts';
import { startRedis } from '../peers/redis.ts';
import type { ScenarioResult } from '../result.ts';
import { BenchChildren } from '../support.ts';
import type { LatticeWriteConfig, WriteKind, WriteRequest, WriteTimes } from './lattice-write-clients.ts';
import { startDsoNode } from './dso-node.ts';

const PROCESSES = 4;
const WINDOW = 16;
const ROUNDS = 5;
const KEYS = { pn: 'bench-lattice-write', atomic: 'bench-lattice-write-atomic', redis: 'bench-lattice-write' };

/** Adds per second over the span of every process's run, to their `end` and to their `flushed`. */
function rates(times: WriteTimes[], total: number): { done: number; flushed: number; flushMs: number } {
  const start = Math.min(...times.map((t) => Number(BigInt(t.start))));
  const end = Math.max(...times.map((t) => Number(BigInt(t.end))));
  const flushed = Math.max(...times.map((t) => Number(BigInt(t.flushed))));
  return { done: total / ((end - start) / 1e9), flushed: total / ((flushed - start) / 1e9), flushMs: (flushed - end) / 1e6 };
}

/** Runs the scenario with `calls` adds per process per measurement. */
export async function latticeWrite(calls = 5000): Promise<ScenarioResult> {
  const node = await startDsoNode();
  const redisServer = await startRedis();
  let children: BenchChildren<WriteRequest, WriteTimes> | undefined;
  try {
    const config: LatticeWriteConfig = { url: node.url, redisPort: redisServer.port, window: WINDOW, keys: KEYS };
    const entry = fileURLToPath(new URL('./lattice-write-clients.ts', import.meta.url));
    children = await BenchChildren.start<WriteRequest, WriteTimes>(entry, Array(PROCESSES).fill(config));
    const made: Record<WriteKind, number> = { pn: 0, atomic: 0, redis: 0 };
    const run = async (kind: WriteKind, n: number): Promise<ReturnType<typeof rates>> => {
      const times = await children!.ask({ kind, calls: n });
      made[kind] += n * PROCESSES;
      return rates(times, n * PROCESSES);
    };
    for (const kind of ['pn', 'atomic', 'redis'] as const) await run(kind, calls / 4);
    const pn: Array<ReturnType<typeof rates>> = [];
    const atomic: number[] = [];
    const redis: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      pn.push(await run('pn', calls));
      atomic.push((await run('atomic', calls)).done);
      redis.push((await run('redis', calls)).done);
    }
    await children.stop();
    children = undefined;
    // What the nodes hold, read afresh: every add made must be there.
    const fresh = await connect({ url: node.url });
    const onNode = { pn: await new PnCounter({ key: KEYS.pn, client: fresh }).value(), atomic: await new AtomicLong({ key: KEYS.atomic, client: fresh }).get() };
    await fresh.close();
    const r = await redisServer.connect();
    const inRedis = Number(await r.get(KEYS.redis));
    r.disconnect();
    if (onNode.pn !== made.pn) throw new Error(`the PnCounter holds ${onNode.pn} on its node, but ${made.pn} adds were made`);
    if (onNode.atomic !== made.atomic) throw new Error(`the AtomicLong holds ${onNode.atomic}, but ${made.atomic} adds were made`);
    if (inRedis !== made.redis) throw new Error(`Redis holds ${inRedis}, but ${made.redis} INCRBYs were made`);
    const done = median(pn.map((p) => p.done));
    const flushed = median(pn.map((p) => p.flushed));
    const a = median(atomic);
    const rd = median(redis);
    return {
      scenario: 'lattice-write',
      what: `${PROCESSES} client processes x ${WINDOW} adds outstanding (64 in all), ${calls} adds each per round, node in another process`,
      skein: { 'PnCounter.add ops/s': done, 'to the node ops/s': flushed, 'flush after last add ms': median(pn.map((p) => p.flushMs)) },
      peers: { 'AtomicLong.addAndGet': { 'ops/s': a }, 'redis-incrby': { 'ops/s': rd } },
      ratios: {
        'add vs AtomicLong.addAndGet': done / a,
        'add (to the node) vs AtomicLong': flushed / a,
        'add vs redis INCRBY': done / rd,
        'add (to the node) vs redis INCRBY': flushed / rd,
      },
      targets: { 'add vs AtomicLong.addAndGet': { min: 3 } },
      notes: [
        `checked on the node by a fresh client: PnCounter ${onNode.pn} = ${made.pn} adds, AtomicLong ${onNode.atomic}, Redis ${inRedis}`,
        `"to the node" counts until client.flushWrites() resolved in every process (each PnCounter add merged and acknowledged by the node)`,
      ],
    };
  } finally {
    await children?.stop();
    await node.stop();
    await redisServer.stop();
  }
}
