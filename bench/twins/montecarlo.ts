/**
 * Pi by Monte Carlo on plain worker_threads: the multi-threaded program that
 * examples/montecarlo.ts ports to cloud threads. N worker threads throw random points at the unit
 * square and add the hits that land inside the quarter circle into one shared counter
 * (a SharedArrayBuffer, Atomics.add).
 *
 *   node --import tsx bench/twins/montecarlo.ts                (same env vars as the Skein version)
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { envInt } from '../../examples/lib/env.ts';
import { runWorker } from './ts-worker.ts';

/** One thread's share: `samples` points from a generator seeded with `seed`. */
function sample({ samples, seed, inside: counter }: { samples: number; seed: number; inside: SharedArrayBuffer }): number {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: fast, and seeded so every thread draws its own sequence.
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  let inside = 0;
  for (let i = 0; i < samples; i++) {
    const x = next();
    const y = next();
    if (x * x + y * y <= 1) inside++;
  }
  Atomics.add(new BigInt64Array(counter), 0, BigInt(inside));
  return inside;
}

if (!isMainThread && workerData?.twin === 'montecarlo') parentPort!.postMessage(sample(workerData));

/** Throws `samples` points on `threads` worker threads; resolves to how many landed inside. */
export async function runMontecarlo({ samples, threads }: { samples: number; threads: number }): Promise<number> {
  const hits = new BigInt64Array(new SharedArrayBuffer(8));
  const workers = Array.from({ length: threads }, (_, i) => {
    const share = Math.floor(samples / threads) + (i < samples % threads ? 1 : 0);
    return runWorker(import.meta.url, { twin: 'montecarlo', samples: share, seed: 0x9e3779b9 ^ (i * 2654435761), inside: hits.buffer });
  });
  await Promise.all(workers);
  return Number(Atomics.load(hits, 0));
}

export default async function main(): Promise<string> {
  const total = envInt('SAMPLES', 1e8, { min: 1 });
  const threads = envInt('THREADS', os.availableParallelism(), { min: 1 });
  const started = performance.now();
  const hits = await runMontecarlo({ samples: total, threads });
  const seconds = (performance.now() - started) / 1000;
  const pi = (4 * hits) / total;
  return `pi ~ ${pi.toFixed(6)} (error ${Math.abs(pi - Math.PI).toExponential(2)}) from ${total.toExponential(1)} samples on ${threads} threads in ${seconds.toFixed(2)} s (${(total / seconds / 1e6).toFixed(1)}M samples/s)`;
}

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) console.log(await main());
