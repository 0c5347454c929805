/**
 * `dso-latency`: AtomicLong.incrementAndGet with one call outstanding, client here and the node
 * in another process, against the floor (a 64-byte frame echoed by a raw Node TCP server in
 * another process) and against Redis INCR through ioredis. Runs alternate in blocks so machine
 * drift hits all three.
 */
import net from 'node:net';
import { once } from 'node:events';
import { AtomicLong, connect } from '../../src/index.ts';
import { FrameDecoder, frame } from '../../src/protocol/frame.ts';
import { latency, startService, timeSequential, type Latency } from '../support.ts';
import { startRedis } from '../peers/redis.ts';
import type { ScenarioResult } from '../result.ts';
import { metricsArgs } from './dso-node.ts';

const BLOCKS = 5;

async function echoClient(port: number): Promise<{ ping: () => Promise<void>; close: () => void }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk) =>
    decoder.push(chunk, () => {
      const w = waiting;
      waiting = undefined;
      w?.();
    }),
  );
  const message = frame(Buffer.alloc(60, 7));
  return {
    ping: () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
        socket.write(message);
      }),
    close: () => socket.destroy(),
  };
}

/** Runs the scenario with `calls` measured calls per side. */
export async function dsoLatency(calls = 20_000): Promise<ScenarioResult> {
  const dso = await startService(['bin/skein.js', 'dso', '--port', '0', ...metricsArgs()], /listening on (skein:\/\/\S+)/);
  const echo = await startService(['bench/peers/tcp-echo-server.ts'], /listening (\d+)/);
  const redisServer = await startRedis();
  try {
    const redis = await redisServer.connect();
    const redisIncr = (): Promise<number> => redis.incr('bench-latency');
    const client = await connect({ url: dso.match[1]! });
    const counter = new AtomicLong({ key: 'bench-latency', client });
    const incr = (): Promise<number> => counter.incrementAndGet();
    const echoPeer = await echoClient(Number(echo.match[1]));
    const ping = echoPeer.ping;
    const per = Math.ceil(calls / BLOCKS);
    await timeSequential(2000, incr);
    await timeSequential(2000, ping);
    await timeSequential(2000, redisIncr);
    const skein: number[] = [];
    const floor: number[] = [];
    const viaRedis: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      floor.push(...(await timeSequential(per, ping)));
      skein.push(...(await timeSequential(per, incr)));
      viaRedis.push(...(await timeSequential(per, redisIncr)));
    }
    redis.disconnect();
    echoPeer.close();
    await client.close();
    const s: Latency = latency(skein);
    const f: Latency = latency(floor);
    const r: Latency = latency(viaRedis);
    return {
      scenario: 'dso-latency',
      what: 'AtomicLong.incrementAndGet, 1 outstanding, node in another process',
      skein: { p50_us: s.p50, p99_us: s.p99, calls: s.n },
      peers: {
        'tcp-echo': { p50_us: f.p50, p99_us: f.p99, calls: f.n },
        'redis-incr': { p50_us: r.p50, p99_us: r.p99, calls: r.n },
      },
      ratios: {
        'p50 vs tcp-echo': s.p50 / f.p50,
        'p99 vs tcp-echo': s.p99 / f.p99,
        'p50 vs redis INCR': s.p50 / r.p50,
      },
      targets: { 'p50 vs tcp-echo': { max: 1.15 }, 'p50 vs redis INCR': { max: 1 } },
    };
  } finally {
    await dso.stop();
    await echo.stop();
    await redisServer.stop();
  }
}
