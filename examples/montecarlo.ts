/**
 * Pi by Monte Carlo: N cloud threads throw random points at the unit square and add the hits that
 * land inside the quarter circle into one shared AtomicLong.
 *
 *   npx skein run examples/montecarlo.ts                       (threads = cores)
 *   SAMPLES=4e8 THREADS=8 npx skein run examples/montecarlo.ts --backend process
 */
import os from 'node:os';
import { AtomicLong, CloudThread, task } from 'skein';
import { envInt } from './lib/env.ts';

/** One thread's share: `samples` points from a generator seeded with `seed`. */
export const sample = task('montecarlo.sample', async ({ samples, seed }: { samples: number; seed: number }) => {
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
  await new AtomicLong('montecarlo.inside').addAndGet(inside);
  return inside;
});

/** Throws `samples` points on `threads` cloud threads; resolves to how many landed inside. */
export async function runMontecarlo({ samples, threads }: { samples: number; threads: number }): Promise<number> {
  const hits = new AtomicLong({ key: 'montecarlo.inside', forceNew: true }, 0);
  await hits.get();
  const workers = Array.from({ length: threads }, (_, i) => {
    const share = Math.floor(samples / threads) + (i < samples % threads ? 1 : 0);
    return new CloudThread(sample, { samples: share, seed: 0x9e3779b9 ^ (i * 2654435761) }).start();
  });
  await Promise.all(workers.map((t) => t.join()));
  return hits.get();
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
