/**
 * The Dask peers (`kmeans`, `dag-chain`, `dag-fanout`): run bench/peers/dask_*.py with Debian's
 * /usr/bin/python3 (the interpreter that sees python3-distributed and python3-numpy) and parses
 * the JSON it prints.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { watchdog } from '../app-runs.ts';

/** The interpreter Debian's python3-distributed and python3-numpy install into. */
export const DASK_PYTHON = '/usr/bin/python3';

/** What dask_kmeans.py measured, in seconds (see its docstring). */
export interface DaskKmeans {
  workers: number;
  import_s: number;
  cluster_start_s: number;
  /** The first run (generate + 10 iterations) on the fresh cluster. */
  first_run_s: number;
  /** From spawning the Python process to the first run's result. */
  first_total_s: number;
  /** Medians over the later runs on the running cluster. */
  run_s: number;
  generate_s: number;
  iterations_s: number;
  runs: number;
  /** The largest distance from a centroid to its planted centre, over all runs. */
  max_centroid_error: number;
}

/** Why the Dask peer cannot run here (with how to install it), or undefined if it can. */
export async function daskMissing(): Promise<string | undefined> {
  try {
    await promisify(execFile)(DASK_PYTHON, ['-c', 'import distributed, numpy']);
    return undefined;
  } catch (err) {
    const why = (err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? (err as Error).message;
    return `Dask peer skipped: ${DASK_PYTHON} cannot import distributed and numpy (${why}); install them with scripts/install-peers.sh dask`;
  }
}

/**
 * Runs k-means on a Dask LocalCluster (one single-threaded worker process per core): one run on
 * the fresh cluster, then `runs` more. Rejects if the script fails or takes longer than `limitMs`
 * (the process is then killed).
 */
export async function runDaskKmeans(
  { points, dims, k, iterations }: { points: number; dims: number; k: number; iterations: number },
  runs: number,
  limitMs: number,
): Promise<DaskKmeans> {
  const args = [String(points), String(dims), String(k), String(iterations), String(runs), String(Date.now())];
  return (await runDaskScript('dask_kmeans.py', args, limitMs, 'kmeans')) as DaskKmeans;
}

/**
 * Runs a peer script of this folder with {@link DASK_PYTHON} and answers the JSON object its last
 * line prints. Rejects if it fails or takes longer than `limitMs` (the process is then killed).
 */
export async function runDaskScript(file: string, args: string[], limitMs: number, scenario: string): Promise<unknown> {
  const script = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const child = spawn(DASK_PYTHON, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  try {
    const code = await watchdog(exited, limitMs, () => `${scenario}: the Dask peer did not finish`);
    if (code !== 0) throw new Error(`${scenario}: the Dask peer exited with code ${code}:\n${err.trim().split('\n').slice(-15).join('\n')}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  return JSON.parse(out.trim().split('\n').pop()!);
}
