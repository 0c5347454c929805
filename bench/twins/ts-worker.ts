/**
 * Worker threads for the twins, whose code is TypeScript. Node's workers do not inherit the tsx
 * loader of the thread that starts them, and registering it in each worker costs about ten times
 * a plain worker's start (it matters with Santa's 20 workers), so a twin's module is compiled
 * once per process into one JavaScript bundle (esbuild, which tsx itself uses), and workers run
 * that: what a multi-threaded program shipped as JavaScript does.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const bundles = new Map<string, Promise<URL>>();

/** `module` and what it imports as one ES module, at a data: URL a worker can load. */
function bundle(module: string): Promise<URL> {
  let url = bundles.get(module);
  if (!url) {
    url = import('esbuild').then(({ build }) =>
      build({
        entryPoints: [fileURLToPath(module)],
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        external: ['esbuild'],
        write: false,
      }).then(({ outputFiles }) => new URL(`data:text/javascript,${encodeURIComponent(outputFiles[0]!.text)}`)),
    );
    bundles.set(module, url);
  }
  return url;
}

/**
 * Starts a worker thread running `module` (a file URL) with `workerData`, and resolves with the
 * first message it posts; rejects if it throws, or exits without posting.
 */
export async function runWorker<R>(module: string, workerData: unknown): Promise<R> {
  const worker = new Worker(await bundle(module), { workerData });
  return new Promise<R>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a worker of ${module} exited (code ${code}) without a result`)));
  });
}
