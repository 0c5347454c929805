/**
 * Mandelbrot on plain worker_threads: the multi-threaded program that examples/mandelbrot.ts ports
 * to cloud threads. The rows are split into one static block per worker thread; each row is
 * rendered by its worker and written into one shared image (a SharedArrayBuffer), which main then
 * saves as a PNG.
 *
 *   node --import tsx bench/twins/mandelbrot.ts          (same env vars as the Skein version)
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { blockBounds } from '../../examples/lib/datasets.ts';
import { checkParams, renderRow, type MandelbrotParams } from '../../examples/lib/mandelbrot-core.ts';
import { envInt } from '../../examples/lib/env.ts';
import { encodePng } from '../../examples/lib/png.ts';
import { runWorker } from './ts-worker.ts';

/** One worker's block of the parallel for: renders rows [from, to) into the shared image. */
function rows({ params, from, to, image }: { params: MandelbrotParams; from: number; to: number; image: SharedArrayBuffer }): null {
  const pixels = new Uint8Array(image);
  for (let y = from; y < to; y++) pixels.set(renderRow(y, params), y * params.width);
  return null;
}

if (!isMainThread && workerData?.twin === 'mandelbrot') parentPort!.postMessage(rows(workerData));

/** Renders the picture on `workers` worker threads (default: cores); resolves to its gray levels. */
export async function runMandelbrot(params: MandelbrotParams & { workers?: number }): Promise<Uint8Array> {
  checkParams(params);
  const { width, height, maxIterations, workers = os.availableParallelism() } = params;
  const image = new SharedArrayBuffer(width * height);
  const threads = Math.min(workers, height);
  const blocks = Array.from({ length: threads }, (_, k) => blockBounds(height, threads, k));
  await Promise.all(blocks.map(([from, to]) => runWorker(import.meta.url, { twin: 'mandelbrot', params: { width, height, maxIterations }, from, to, image })));
  return new Uint8Array(image);
}

export default async function main(): Promise<string> {
  const params = {
    width: envInt('WIDTH', 1000, { min: 1 }),
    height: envInt('HEIGHT', 1000, { min: 1 }),
    maxIterations: envInt('ITERATIONS', 100, { min: 1 }),
    workers: envInt('THREADS', os.availableParallelism(), { min: 1 }),
  };
  const out = process.env.OUT ?? path.join(os.tmpdir(), 'mandelbrot.png');
  const started = performance.now();
  const pixels = await runMandelbrot(params);
  const seconds = (performance.now() - started) / 1000;
  const png = encodePng(pixels, params.width, params.height);
  writeFileSync(out, png);
  return `mandelbrot ${params.width} x ${params.height} (${params.maxIterations} iterations) in ${seconds.toFixed(2)} s: wrote ${out} (${png.length} bytes)`;
}

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) console.log(await main());
