/**
 * `dso-memory`: create many AtomicLong objects on one node (in its own process) and measure its
 * resident memory growth per object, against the growth of Redis `used_memory` per INCR'd key.
 */
import { AtomicLong, connect } from '../../src/index.ts';
import { windowed } from '../load.ts';
import { startRedis } from '../peers/redis.ts';
import type { ScenarioResult } from '../result.ts';
import { rssBytes, startDsoNode } from './dso-node.ts';

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
    await new AtomicLong({ key: 'warm', client }).incrementAndGet();
    const before = rssBytes(node.child.pid!);
    await windowed(objects, 2000, (i) => new AtomicLong({ key: `m:${i}`, client }).incrementAndGet());
    const after = rssBytes(node.child.pid!);
    const keys = await client.keys('m:');
    if (keys.length !== objects) throw new Error(`expected ${objects} objects, the node has ${keys.length}`);

    const redis = await redisServer.connect();
    const rBefore = usedMemory(await redis.info('memory'));
    await windowed(objects, 2000, (i) => redis.incr(`m:${i}`));
    const rAfter = usedMemory(await redis.info('memory'));
    redis.disconnect();
    const skein = (after - before) / objects;
    const peer = (rAfter - rBefore) / objects;
    return {
      scenario: 'dso-memory',
      what: `${objects} AtomicLong objects on one node: resident growth per object`,
      skein: { 'bytes/object': skein },
      peers: { 'redis used_memory': { 'bytes/key': peer } },
      ratios: { 'vs redis': skein / peer },
      targets: { 'vs redis': { max: 2 } },
    };
  } finally {
    await client.close();
    await node.stop();
    await redisServer.stop();
  }
}
