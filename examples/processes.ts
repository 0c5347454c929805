/**
 * Four OS processes share a counter, a map and a barrier through one DSO node.
 *
 *   npm start            (or: npx tsx examples/processes.ts)
 *
 * The parent starts a node in-process, then forks workers that find it through SKEIN_DSO, exactly
 * as cloud threads do. Each worker runs ROUNDS rounds: add its share to the counter, record its
 * progress in the map, and wait at the barrier for the others.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AtomicLong, CyclicBarrier, SharedMap, connect } from '../src/index.ts';
import { startNode } from '../src/server.ts';

const WORKERS = 4;
const ROUNDS = 20;

async function worker(id: number): Promise<void> {
  const total = new AtomicLong('total');
  const progress = new SharedMap<string, number>('progress');
  const barrier = new CyclicBarrier('round', WORKERS);
  for (let round = 1; round <= ROUNDS; round++) {
    await total.addAndGet(id + 1);
    await progress.merge(`worker-${id}`, 1, 'sum');
    await barrier.await({ timeoutMs: 30_000 });
  }
}

async function parent(): Promise<void> {
  const node = await startNode();
  const started = Date.now();
  const children = Array.from({ length: WORKERS }, (_, id) =>
    fork(fileURLToPath(import.meta.url), [String(id)], {
      env: { ...process.env, SKEIN_DSO: node.url },
      execArgv: ['--import', 'tsx'],
    }),
  );
  const codes = await Promise.all(children.map(async (c) => (await once(c, 'exit'))[0] as number));
  const client = await connect({ url: node.url });
  const total = await new AtomicLong({ key: 'total', client }).get();
  const progress = await new SharedMap<string, number>({ key: 'progress', client }).entries();
  const expected = ROUNDS * ((WORKERS * (WORKERS + 1)) / 2);
  console.log(`${WORKERS} processes x ${ROUNDS} barrier rounds in ${Date.now() - started} ms via ${node.url}`);
  console.log(`total = ${total} (expected ${expected})`);
  console.log(`rounds per worker: ${progress.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  await client.close();
  await node.close();
  if (codes.some((c) => c !== 0) || total !== expected) {
    console.error('FAILED: a worker exited with an error or the total is wrong');
    process.exitCode = 1;
  }
}

const id = process.argv[2];
if (id === undefined) await parent();
else await worker(Number(id));
