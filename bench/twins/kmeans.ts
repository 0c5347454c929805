/**
 * k-means (Lloyd's algorithm): each worker makes its own block of the seeded points (no data is
 * shipped), then every iteration assigns its points to the nearest centroid, adds its partial sums
 * into the global centroids and waits at a barrier; the last worker to add moves the centroids.
 * The run stops when no centroid moved `threshold` or more, or after `iterations` iterations.
 *
 * On plain worker_threads, the centroids and the barrier in shared memory: the multi-threaded
 * program that examples/kmeans.ts ports to cloud threads.
 *
 *   node --import tsx bench/twins/kmeans.ts        (same env vars as the Skein version)
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { blobPoints, blockBounds, type BlobsSpec } from '../../examples/lib/datasets.ts';
import { envInt, envNumber } from '../../examples/lib/env.ts';
import { runWorker } from './ts-worker.ts';

/** What to cluster and how: the data set, then the algorithm's bounds. */
export interface KmeansParams extends BlobsSpec {
  /** Most iterations to run. */
  iterations: number;
  /** Threads, each with one block of the points. */
  workers: number;
  /** Stop once no centroid moves this far in an iteration (0: run every iteration). */
  threshold: number;
}

/** The clustering found. */
export interface KmeansResult {
  /** `k` centroids of `dims` coordinates. */
  centroids: Float64Array[];
  /** Iterations run. */
  iterations: number;
  /** How far the centroid that moved most moved in the last iteration. */
  shift: number;
}

/**
 * Moves each centroid to the mean of the points summed into it (one that got no point stays put),
 * zeroes the sums, and answers how far the centroid that moved most went.
 */
function moveCentroids(centroids: Float64Array, sums: Float64Array, k: number, dims: number): number {
  let shift = 0;
  for (let c = 0; c < k; c++) {
    const count = sums[c * (dims + 1) + dims]!;
    let moved = 0;
    for (let d = 0; d < dims; d++) {
      const next = count > 0 ? sums[c * (dims + 1) + d]! / count : centroids[c * dims + d]!;
      moved += (next - centroids[c * dims + d]!) ** 2;
      centroids[c * dims + d] = next;
    }
    shift = Math.max(shift, Math.sqrt(moved));
  }
  sums.fill(0);
  return shift;
}

/**
 * The global centroids in one SharedArrayBuffer: a lock and the number of workers that added this
 * round, the centroids, the running sums (per cluster `dims` coordinate sums then the count) and
 * the last shift. `add` runs under the lock; the round's last `add` moves the centroids.
 */
class GlobalCentroids {
  private readonly state: Int32Array;
  private readonly centroids: Float64Array;
  private readonly sums: Float64Array;
  private readonly shift: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly k: number, readonly dims: number, readonly workers: number) {
    this.state = new Int32Array(buffer, 0, 2);
    this.centroids = new Float64Array(buffer, 8, k * dims);
    this.sums = new Float64Array(buffer, 8 + 8 * k * dims, k * (dims + 1));
    this.shift = new Float64Array(buffer, 8 + 8 * (k * dims + k * (dims + 1)), 1);
  }
  static create(k: number, dims: number, workers: number, initial: Float64Array): GlobalCentroids {
    const g = new GlobalCentroids(new SharedArrayBuffer(8 + 8 * (k * dims + k * (dims + 1) + 1)), k, dims, workers);
    g.centroids.set(initial);
    g.shift[0] = Number.POSITIVE_INFINITY;
    return g;
  }
  add(partial: Float64Array): void {
    while (Atomics.compareExchange(this.state, 0, 0, 1) !== 0) Atomics.wait(this.state, 0, 1);
    for (let i = 0; i < partial.length; i++) this.sums[i]! += partial[i]!;
    if (Atomics.add(this.state, 1, 1) === this.workers - 1) {
      this.shift[0] = moveCentroids(this.centroids, this.sums, this.k, this.dims);
      Atomics.store(this.state, 1, 0);
    }
    Atomics.store(this.state, 0, 0);
    Atomics.notify(this.state, 0, 1);
  }
  /** A view, not a copy: the centroids change only in a round every worker has added to. */
  current(): { centroids: Float64Array; shift: number } {
    return { centroids: this.centroids, shift: this.shift[0]! };
  }
}

/** A reusable barrier in shared memory: [arrived, generation]; the last arrival opens it. */
class CyclicBarrier {
  private readonly state: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly parties: number) {
    this.state = new Int32Array(buffer);
  }
  static create(parties: number): CyclicBarrier {
    return new CyclicBarrier(new SharedArrayBuffer(8), parties);
  }
  await(): void {
    const generation = Atomics.load(this.state, 1);
    if (Atomics.add(this.state, 0, 1) === this.parties - 1) {
      Atomics.store(this.state, 0, 0);
      Atomics.add(this.state, 1, 1);
      Atomics.notify(this.state, 1);
    } else {
      while (Atomics.load(this.state, 1) === generation) Atomics.wait(this.state, 1, generation);
    }
  }
}

/**
 * Adds every point of `data` to the partial sums of its nearest centroid. `partial` has, per
 * cluster, `dims` coordinate sums then the count. Nearest is by `|c|^2 / 2 - x . c`, which ranks
 * centroids as `|x - c|^2` does with one multiply-add per coordinate; the dot product runs four
 * sums at once so the additions do not wait on each other.
 */
function assign(data: Float64Array, centroids: Float64Array, partial: Float64Array, k: number, dims: number): void {
  const halfNorms = new Float64Array(k);
  for (let i = 0; i < k * dims; i++) halfNorms[Math.floor(i / dims)]! += centroids[i]! ** 2 / 2;
  partial.fill(0);
  const dims4 = dims & ~3;
  for (let p = 0; p < data.length; p += dims) {
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let c = 0, at = 0; c < k; c++, at += dims) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let d = 0;
      for (; d < dims4; d += 4) {
        s0 += data[p + d]! * centroids[at + d]!;
        s1 += data[p + d + 1]! * centroids[at + d + 1]!;
        s2 += data[p + d + 2]! * centroids[at + d + 2]!;
        s3 += data[p + d + 3]! * centroids[at + d + 3]!;
      }
      for (; d < dims; d++) s0 += data[p + d]! * centroids[at + d]!;
      const score = halfNorms[c]! - (s0 + s1 + s2 + s3);
      if (score < bestScore) {
        bestScore = score;
        best = c;
      }
    }
    const at = best * (dims + 1);
    for (let d = 0; d < dims; d++) partial[at + d]! += data[p + d]!;
    partial[at + dims]! += 1;
  }
}

interface WorkerArgs {
  params: KmeansParams;
  worker: number;
  centroids: GlobalCentroids;
  barrier: CyclicBarrier;
}

/** One worker: its block of points, then assign, add, barrier, until converged. */
function kmeansWorker({ params, worker, centroids, barrier }: WorkerArgs): { iterations: number } {
  const { k, dims } = params;
  const [from, to] = blockBounds(params.points, params.workers, worker);
  const data = blobPoints(params, from, to);
  const partial = new Float64Array(k * (dims + 1));
  let current = centroids.current();
  let iterations = 0;
  while (iterations < params.iterations && !(current.shift < params.threshold)) {
    assign(data, current.centroids, partial, k, dims);
    centroids.add(partial);
    barrier.await();
    current = centroids.current();
    iterations++;
  }
  return { iterations };
}

if (!isMainThread && workerData?.twin === 'kmeans') {
  const { params, worker, centroids, barrier } = workerData as { params: KmeansParams; worker: number; centroids: SharedArrayBuffer; barrier: SharedArrayBuffer };
  parentPort!.postMessage(
    kmeansWorker({
      params,
      worker,
      centroids: new GlobalCentroids(centroids, params.k, params.dims, params.workers),
      barrier: new CyclicBarrier(barrier, params.workers),
    }),
  );
}

/** Runs k-means on `params.workers` threads, starting from the first `k` points. */
export async function runKmeans(params: KmeansParams): Promise<KmeansResult> {
  const { k, dims } = params;
  const centroids = GlobalCentroids.create(k, dims, params.workers, blobPoints(params, 0, k));
  const barrier = CyclicBarrier.create(params.workers);
  const threads = Array.from({ length: params.workers }, (_, worker) =>
    runWorker<{ iterations: number }>(import.meta.url, { twin: 'kmeans', params, worker, centroids: centroids.buffer, barrier: barrier.buffer }),
  );
  const results = await Promise.all(threads);
  const last = centroids.current();
  return {
    centroids: Array.from({ length: k }, (_, c) => last.centroids.slice(c * dims, (c + 1) * dims)),
    iterations: results[0]!.iterations,
    shift: last.shift,
  };
}

/** Runs k-means sized by POINTS, DIMS, K, ITERATIONS, THREADS, SEED and THRESHOLD; answers a summary line. */
export default async function main(): Promise<string> {
  const params: KmeansParams = {
    points: envInt('POINTS', 20_000, { min: 1 }),
    dims: envInt('DIMS', 10, { min: 1 }),
    k: envInt('K', 5, { min: 1 }),
    iterations: envInt('ITERATIONS', 10, { min: 1 }),
    workers: envInt('THREADS', os.availableParallelism(), { min: 1 }),
    seed: envInt('SEED', 1),
    threshold: envNumber('THRESHOLD', 1e-5, { min: 0 }),
  };
  const started = performance.now();
  const { iterations, shift } = await runKmeans(params);
  const seconds = (performance.now() - started) / 1000;
  return `k-means: ${params.points} points x ${params.dims} dims, k = ${params.k}, ${iterations} iterations (last shift ${shift.toExponential(2)}) on ${params.workers} threads in ${seconds.toFixed(2)} s`;
}

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) console.log(await main());
