/**
 * `dso-complex`: add a 100-float vector into a shared one (a k-means partial sum), 64 calls
 * outstanding: `AtomicMatrix.addRow` against a Redis Lua script (EVALSHA) that adds binary
 * little-endian doubles in place.
 */
import { AtomicMatrix, connect } from '../../src/index.ts';
import { median, windowed } from '../load.ts';
import { startRedis } from '../peers/redis.ts';
import type { ScenarioResult } from '../result.ts';
import { startDsoNode } from './dso-node.ts';

const DIMS = 100;
const ROUNDS = 5;

const ADD_VECTOR = `
local cur = redis.call('GET', KEYS[1])
local inc = ARGV[1]
local out = {}
for i = 0, ${DIMS - 1} do
  local a = 0
  if cur then a = struct.unpack('<d', cur, i * 8 + 1) end
  out[i + 1] = struct.pack('<d', a + struct.unpack('<d', inc, i * 8 + 1))
end
redis.call('SET', KEYS[1], table.concat(out))
return 1`;

/** Runs the scenario with `total` vector additions per measurement. */
export async function dsoComplex(total = 40_000): Promise<ScenarioResult> {
  const node = await startDsoNode();
  const redisServer = await startRedis();
  const client = await connect({ url: node.url });
  try {
    const redis = await redisServer.connect();
    const sha = (await redis.script('LOAD', ADD_VECTOR)) as string;
    const vector = new Float64Array(DIMS).map((_, i) => i / DIMS);
    const bytes = Buffer.from(vector.buffer);
    const matrix = new AtomicMatrix({ key: 'bench-complex', client, forceNew: true }, 1, DIMS);
    const skeinOp = (): Promise<unknown> => matrix.addRow(0, vector);
    const redisOp = (): Promise<unknown> => redis.evalsha(sha, 1, 'bench-complex', bytes);
    await windowed(total / 4, 64, skeinOp);
    await windowed(total / 4, 64, redisOp);
    const s: number[] = [];
    const r: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      s.push(await windowed(total, 64, skeinOp));
      r.push(await windowed(total, 64, redisOp));
    }
    // Both must have computed the same sums: a benchmark of wrong results is no benchmark.
    const mine = (await matrix.row(0))[DIMS - 1]!;
    const theirs = (await redis.getBuffer('bench-complex'))!.readDoubleLE((DIMS - 1) * 8);
    if (Math.abs(mine - theirs) > 1e-6 * Math.abs(theirs)) throw new Error(`sums differ: skein ${mine}, redis ${theirs}`);
    redis.disconnect();
    return {
      scenario: 'dso-complex',
      what: `add a ${DIMS}-float vector into a shared one, 64 outstanding (AtomicMatrix.addRow vs Redis EVALSHA)`,
      skein: { 'ops/s': median(s) },
      peers: { 'redis-evalsha': { 'ops/s': median(r) } },
      ratios: { 'vs redis evalsha': median(s) / median(r) },
      targets: { 'vs redis evalsha': { min: 3 } },
    };
  } finally {
    await client.close();
    await node.stop();
    await redisServer.stop();
  }
}
