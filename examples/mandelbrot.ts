/**
 * Mandelbrot: a parallel for over the rows of the picture on cloud threads (static blocks, as
 * Crucial's invokeIterativeTask); each row is rendered where its thread runs and written into one
 * shared image, which main then saves as a PNG.
 *
 *   npx skein run examples/mandelbrot.ts                 (1000 x 1000, 100 iterations, threads = cores)
 *   WIDTH=1920 HEIGHT=1080 ITERATIONS=500 OUT=m.png npx skein run examples/mandelbrot.ts
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServerlessExecutor, sharedClass, task } from 'skein';
import { checkParams, renderRow, type MandelbrotParams } from './lib/mandelbrot-core.ts';
import { encodePng } from './lib/png.ts';
import { envInt } from './lib/env.ts';

const IMAGE = 'mandelbrot.image';

/** The picture being rendered: its parameters, and its gray levels filled in row by row. */
export const MandelbrotImage = sharedClass(
  'MandelbrotImage',
  class {
    readonly pixels: Uint8Array;
    // Defaults, because threads open the image by key alone: main creates it with its size.
    constructor(
      readonly width = 0,
      readonly height = 0,
      readonly maxIterations = 0,
    ) {
      this.pixels = new Uint8Array(width * height);
    }
    params(): MandelbrotParams {
      return { width: this.width, height: this.height, maxIterations: this.maxIterations };
    }
    setRow(y: number, row: Uint8Array): void {
      if (!Number.isInteger(y) || y < 0 || y >= this.height || row.length !== this.width) {
        throw new RangeError(`row ${y} of ${row.length} pixels does not fit a ${this.width} x ${this.height} image`);
      }
      this.pixels.set(row, y * this.width);
    }
    toPixels(): Uint8Array {
      return this.pixels;
    }
  },
  { atomic: true, readonly: ['params', 'toPixels'] },
);

/** One iteration of the parallel for: renders row `y` into the shared image. */
export const row = task('mandelbrot.row', async (y: number) => {
  const image = new MandelbrotImage(IMAGE);
  await image.setRow(y, renderRow(y, await image.params()));
});

/** Renders the picture on `workers` cloud threads (default: cores); resolves to its gray levels. */
export async function runMandelbrot(params: MandelbrotParams & { workers?: number }): Promise<Uint8Array> {
  checkParams(params);
  const { width, height, maxIterations, workers = os.availableParallelism() } = params;
  const image = new MandelbrotImage({ key: IMAGE, forceNew: true }, width, height, maxIterations);
  await image.params();
  await new ServerlessExecutor().parallelFor(row, { from: 0, to: height, workers });
  return image.toPixels();
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
