/**
 * `lattice-read`: a cached `LwwRegister.get()` (the key read once before, so the client's cache
 * holds it and the node pushes its updates) against a linearizable `AtomicReference.get()` of the
 * same value on the same node (a round trip each), and against Redis GET through ioredis; one call
 * outstanding, node in another process, runs alternating in blocks so drift hits all three.
 */
import { AtomicReference, LwwRegister, connect } from '../../src/index.ts';
import { latency, startService, timeSequential } from '../support.ts';
import { startRedis } from '../peers/redis.ts';
import type { ScenarioResult } from '../result.ts';
import { metricsArgs } from './dso-node.ts';

const BLOCKS = 5;
/** The value read: a small record, as a configuration or a model version would be. */
const VALUE = { model: 'v42', weights: [0.25, 0.5, 0.75], updated: 1_700_000_000_000 };

/** Operations per second of a sample of nanosecond timings. */
function opsPerSec(samplesNs: readonly number[]): number {
  return samplesNs.length / (samplesNs.reduce((a, b) => a + b, 0) / 1e9);
}

/** Runs the scenario with `calls` measured calls per side. */
export async function latticeRead(calls = 20_000): Promise<ScenarioResult> {
  const dso = await startService(['bin/skein.js', 'dso', '--port', '0', ...metricsArgs()], /listening on (skein:\/\/\S+)/);
  const redisServer = await startRedis();
  try {
    const redis = await redisServer.connect();
    await redis.set('bench-lattice-read', JSON.stringify(VALUE));
    const client = await connect({ url: dso.match[1]! });
    const register = new LwwRegister<typeof VALUE>({ key: 'bench-lattice-read', client });
    await register.set(VALUE);
    await client.flushWrites();
    const reference = new AtomicReference<typeof VALUE>({ key: 'bench-lattice-read-ref', client }, VALUE);
    const cached = (): Promise<unknown> => register.get();
    const linearizable = (): Promise<unknown> => reference.get();
    const redisGet = (): Promise<unknown> => redis.get('bench-lattice-read');
    await timeSequential(2000, cached);
    await timeSequential(2000, linearizable);
    await timeSequential(2000, redisGet);
    const per = Math.ceil(calls / BLOCKS);
    const c: number[] = [];
    const l: number[] = [];
    const r: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      l.push(...(await timeSequential(per, linearizable)));
      c.push(...(await timeSequential(per, cached)));
      r.push(...(await timeSequential(per, redisGet)));
    }
    // Every read must have been answered by the cache (the set before them brought the key in), with the value written.
    const stats = client.cacheStats();
    if (stats.misses !== 0) throw new Error(`expected every read from the cache, but ${stats.misses} went to the node`);
    if ((await register.get()).model !== VALUE.model) throw new Error('the cached read returned another value');
    redis.disconnect();
    await client.close();
    const cl = latency(c);
    const ll = latency(l);
    const rl = latency(r);
    return {
      scenario: 'lattice-read',
      what: 'cached LwwRegister.get vs AtomicReference.get (one round trip) and Redis GET, 1 outstanding, node in another process',
      skein: { p50_us: cl.p50, p99_us: cl.p99, ops_per_s: opsPerSec(c), calls: cl.n },
      peers: {
        'AtomicReference.get': { p50_us: ll.p50, p99_us: ll.p99, ops_per_s: opsPerSec(l), calls: ll.n },
        'redis-get': { p50_us: rl.p50, p99_us: rl.p99, ops_per_s: opsPerSec(r), calls: rl.n },
      },
      ratios: {
        'p50 speed-up vs AtomicReference.get': ll.p50 / cl.p50,
        'p99 speed-up vs AtomicReference.get': ll.p99 / cl.p99,
        'p50 speed-up vs redis GET': rl.p50 / cl.p50,
      },
      targets: { 'p50 speed-up vs AtomicReference.get': { min: 20 } },
      notes: [
        `the cache answered all ${stats.hits} reads (the set before them fetched the key once and subscribed it); a cached read costs no I/O, so its time is that of the handle, the cache lookup and one resolved promise`,
      ],
    };
  } finally {
    await dso.stop();
    await redisServer.stop();
  }
}
