/**
 * A client process of `lattice-write` (forked by {@link BenchChildren}): one Skein client (so one
 * lattice cache) and one ioredis connection; for each `{ kind, calls }` the parent sends, makes
 * `calls` adds of 1 with `window` outstanding and answers when they started and ended (and, for
 * the PnCounter, when its writes had all reached the node), as monotonic nanoseconds in strings.
 */
import { Redis } from 'ioredis';
import { AtomicLong, PnCounter, connect } from '../../src/index.ts';
import type { Client } from '../../src/client/client.ts';
import { windowed } from '../load.ts';
import { serveBenchChild } from '../support.ts';

/** What the parent passes as the one argument (JSON). */
export interface LatticeWriteConfig {
  url: string;
  redisPort: number;
  window: number;
  keys: { pn: string; atomic: string; redis: string };
}

/** Which add: `PnCounter.add(1)`, `AtomicLong.addAndGet(1)`, Redis `INCRBY key 1`. */
export type WriteKind = 'pn' | 'atomic' | 'redis';
export interface WriteRequest {
  kind: WriteKind;
  calls: number;
}
/** `process.hrtime.bigint()` readings (one clock for every process of the machine). */
export interface WriteTimes {
  start: string;
  end: string;
  /** When every write was acknowledged by the node (the PnCounter's flush; `end` for the others). */
  flushed: string;
}

const config = JSON.parse(process.argv[2]!) as LatticeWriteConfig;
let client: Client;
let redis: Redis;
let ops: Record<WriteKind, () => Promise<unknown>>;

await serveBenchChild<WriteRequest, WriteTimes>(
  async () => {
    client = await connect({ url: config.url });
    redis = new Redis({ port: config.redisPort, host: '127.0.0.1' });
    const counter = new PnCounter({ key: config.keys.pn, client });
    const atomic = new AtomicLong({ key: config.keys.atomic, client });
    // Read once: the key is then cached and subscribed, as a thread's keys are after first use.
    await counter.value();
    ops = { pn: () => counter.add(1), atomic: () => atomic.addAndGet(1), redis: () => redis.incrby(config.keys.redis, 1) };
  },
  async ({ kind, calls }) => {
    const start = process.hrtime.bigint();
    await windowed(calls, config.window, ops[kind]);
    const end = process.hrtime.bigint();
    if (kind === 'pn') await client.flushWrites();
    return { start: String(start), end: String(end), flushed: String(process.hrtime.bigint()) };
  },
  async () => {
    redis.disconnect();
    await client.close();
  },
);
