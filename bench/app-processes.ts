/**
 * An app and its worker_threads twin each run as a process of its own, as a user starts them:
 * - the app with the built package's `skein run` (`dist/cli/main.js`, which `npm run build` brings
 *   up to date first) on a TypeScript entry that calls the app's run function;
 * - the twin from its TypeScript source, as its header says to run it (`node --import tsx`; its
 *   workers run one esbuild bundle of its module, made by bench/twins/ts-worker.ts), like for like
 *   with `skein run`, which compiles the app when it starts;
 * - the twin compiled beforehand into one JavaScript file (what a multi-threaded program shipped as
 *   JavaScript runs), the strictest yardstick.
 * Each takes the function's argument from `BENCH_PARAMS` (JSON) and prints its result serialized
 * with `node:v8` (typed arrays and all) in base64, which the bench checks.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deserialize } from 'node:v8';
import { build } from 'esbuild';
import { ROOT } from './support.ts';

/** What to start: modules from the repository root, and the function both export. */
export interface AppProcessSpec {
  /** The Skein app's module, e.g. `examples/montecarlo.ts`. */
  app: string;
  /** The twin's module, e.g. `bench/twins/montecarlo.ts`. */
  twin: string;
  /** The run function both modules export, e.g. `runMontecarlo`. */
  run: string;
  /** Its argument. */
  params: unknown;
}

/** Starts one run of the app or the twin; aborting `signal` kills it. Resolves with its result. */
export type ProcessRun<R> = (signal: AbortSignal) => Promise<R>;

/** The three kinds of run, and `close()`, which deletes the files made for them. */
export interface AppProcesses<R> {
  skein: ProcessRun<R>;
  twin: ProcessRun<R>;
  compiledTwin: ProcessRun<R>;
  close(): Promise<void>;
}

let built: Promise<unknown> | undefined;

/** Builds dist/ (once per bench process), writes the app's entry and compiles the twin. */
export async function appProcesses<R>(spec: AppProcessSpec): Promise<AppProcesses<R>> {
  built ??= promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: ROOT });
  await built;
  const dir = await mkdtemp(join(tmpdir(), 'skein-bench-app-'));
  const params = JSON.stringify(spec.params);
  const entry = join(dir, 'app.ts');
  await writeFile(
    entry,
    `import { serialize } from 'node:v8';\nimport { ${spec.run} as run } from ${JSON.stringify(join(ROOT, spec.app))};\n` +
      `export default async function main(): Promise<string> {\n  return serialize(await run(JSON.parse(process.env.BENCH_PARAMS!))).toString('base64');\n}\n`,
  );
  // A main that imports the twin's module, so that the module's own command-line main (run when
  // it is the process's entry) stays idle.
  const twinMain = join(dir, 'twin-main.mts');
  await writeFile(
    twinMain,
    `import { serialize } from 'node:v8';\nimport { ${spec.run} as run } from ${JSON.stringify(join(ROOT, spec.twin))};\n` +
      `process.stdout.write(serialize(await run(JSON.parse(process.env.BENCH_PARAMS!))).toString('base64'));\n`,
  );
  // The twin's module compiled into one file (its workers load that file), and its main.
  await build({
    entryPoints: [join(ROOT, spec.twin)],
    outfile: join(dir, 'twin.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['esbuild'],
    plugins: [plainWorkers()],
    logLevel: 'silent',
  });
  const compiledMain = join(dir, 'twin-main.mjs');
  await writeFile(
    compiledMain,
    `import { serialize } from 'node:v8';\nimport { ${spec.run} as run } from './twin.mjs';\n` +
      `process.stdout.write(serialize(await run(JSON.parse(process.env.BENCH_PARAMS))).toString('base64'));\n`,
  );
  return {
    skein: (signal) => runProcess<R>([join(ROOT, 'dist/cli/main.js'), 'run', entry], params, signal),
    twin: (signal) => runProcess<R>(['--import', 'tsx', twinMain], params, signal),
    compiledTwin: (signal) => runProcess<R>([compiledMain], params, signal),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Twins start their workers through bench/twins/ts-worker.ts, which compiles their TypeScript
 * module at run time; compiled beforehand, a worker runs the compiled file itself.
 */
function plainWorkers(): import('esbuild').Plugin {
  return {
    name: 'plain-workers',
    setup(b) {
      b.onResolve({ filter: /\/ts-worker\.ts$/ }, () => ({ path: 'plain-worker', namespace: 'bench' }));
      b.onLoad({ filter: /^plain-worker$/, namespace: 'bench' }, () => ({
        loader: 'js',
        resolveDir: ROOT,
        contents: `import { Worker } from 'node:worker_threads';
export function runWorker(module, workerData) {
  const worker = new Worker(new URL(module), { workerData });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(\`a worker of \${module} exited (code \${code}) without a result\`)));
  });
}`,
      }));
    },
  };
}

/** Runs `node args...` to its end; resolves with what it printed, deserialized. */
async function runProcess<R>(args: string[], params: string, signal: AbortSignal): Promise<R> {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_PARAMS: params };
  delete env.SKEIN_DSO;
  delete env.SKEIN_TOKEN;
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with code ${code}: ${stderr.trim()}`);
  return deserialize(Buffer.from(stdout.trim(), 'base64')) as R;
}
