/**
 * `dso-memory`: create many AtomicLong objects on one node (in its own process) and measure its
 * resident memory growth per object, against the growth of Redis `used_memory` per INCR'd key.
 *
 * Both sides first serve a warm-up of {@link WARMUP_CALLS} calls on one key, in the same load
 * shape as the measured run, and the baseline is read after it. A node that serves calls has its
 * V8 young generation at working size (two semi-spaces, ~32 MB on Node 20 x64) and its call path
 * compiled whether it holds one object or millions; read from a node that has answered one call,
 * that fixed growth lands in the figure as ~30 B per object at 1M objects (and half that at 2M).
 * The warm-up creates and destroys no objects, so the objects measured reuse no freed heap: all
 * that grows with the objects (keys, instances, the table, malloc) is counted. The growth from
 * the one-call baseline is reported too (`cold`), without a target.
 */
import { AtomicLong, connect } from '../../src/index.ts';
import { windowed } from '../load.ts';
import { startRedis } from '../peers/redis.ts';
import type { ScenarioResult } from '../result.ts';
import { rssBytes, startDsoNode } from './dso-node.ts';

/** Calls on one key each side serves before its baseline is read. */
const WARMUP_CALLS = 300_000;
/** Calls in flight, in the warm-up and the measured run. */
const WINDOW = 2000;

function usedMemory(info: string): number {
  const m = info.match(/used_memory:(\d+)/);
  if (!m) throw new Error('no used_memory in INFO');
  return Number(m[1]);
}

/** Runs the scenario with `objects` objects on each side. */
export async function dsoMemory(objects = 1_000_000): Promise<ScenarioResult> {
  const node = await startDsoNode();
  const redisServer = await startRedis();
  const client = await connect({ url: node.url });
  try {
    const warm = new AtomicLong({ key: 'warm', client });
    await warm.incrementAndGet();
    const cold = rssBytes(node.child.pid!);
    await windowed(WARMUP_CALLS, WINDOW, () => warm.incrementAndGet());
    const before = rssBytes(node.child.pid!);
    await windowed(objects, WINDOW, (i) => new AtomicLong({ key: `m:${i}`, client }).incrementAndGet());
    const after = rssBytes(node.child.pid!);
    const keys = await client.keys('m:');
    if (keys.length !== objects) throw new Error(`expected ${objects} objects, the node has ${keys.length}`);

    const redis = await redisServer.connect();
    await windowed(WARMUP_CALLS, WINDOW, () => redis.incr('warm'));
    const rBefore = usedMemory(await redis.info('memory'));
    await windowed(objects, WINDOW, (i) => redis.incr(`m:${i}`));
    const rAfter = usedMemory(await redis.info('memory'));
    redis.disconnect();
    const skein = (after - before) / objects;
    const skeinCold = (after - cold) / objects;
    const peer = (rAfter - rBefore) / objects;
    return {
      scenario: 'dso-memory',
      what: `${objects} AtomicLong objects on one node: resident growth per object after a warm-up`,
      skein: { 'bytes/object': skein, 'cold bytes/object': skeinCold },
      peers: { 'redis used_memory': { 'bytes/key': peer } },
      ratios: { 'vs redis': skein / peer, 'cold vs redis': skeinCold / peer },
      targets: { 'vs redis': { max: 2 } },
    };
  } finally {
    await client.close();
    await node.stop();
    await redisServer.stop();
  }
}
