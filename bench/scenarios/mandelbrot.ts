/**
 * `mandelbrot` (reported, no target in BENCHMARKS.md): a 2000 x 2000 picture, 256 iterations deep,
 * on one thread per core: examples/mandelbrot.ts (a parallel for over rows, each row written into
 * a shared image on the node) against its twin (static row blocks into a SharedArrayBuffer), timed
 * as bench/app-runs.ts describes. Checked: every image equals the warm-up twin run's, byte for byte.
 */
import os from 'node:os';
import { runMandelbrot } from '../../examples/mandelbrot.ts';
import { runMandelbrot as runTwin } from '../twins/mandelbrot.ts';
import { appResult, timeApp } from '../app-runs.ts';
import type { ScenarioResult } from '../result.ts';

/** Runs the scenario at `width` x `height`, `maxIterations` deep. */
export async function mandelbrot(width = 2000, height = 2000, maxIterations = 256): Promise<ScenarioResult> {
  const params = { width, height, maxIterations, workers: os.availableParallelism() };
  const times = await timeApp<Uint8Array>({
    app: 'mandelbrot',
    skein: () => runMandelbrot(params),
    twin: () => runTwin(params),
    processes: { app: 'examples/mandelbrot.ts', twin: 'bench/twins/mandelbrot.ts', run: 'runMandelbrot', params },
    check(pixels, which, reference) {
      if (pixels.length !== width * height) throw new Error(`mandelbrot: ${which} made ${pixels.length} pixels`);
      if (reference && Buffer.compare(pixels, reference) !== 0) throw new Error(`mandelbrot: ${which} differs from the twin's image`);
    },
  });
  return appResult('mandelbrot', `${width} x ${height}, ${maxIterations} iterations, ${params.workers} threads`, times, undefined);
}
