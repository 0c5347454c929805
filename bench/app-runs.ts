/**
 * How the application scenarios time an app against its worker_threads twin.
 *
 * What is timed, per run, is what a user waits for:
 * - a **process** run (the cold run BENCHMARKS.md targets, when the pair gives `processes`) is
 *   `skein run` of the built package from process start to exit, against the twin's own process
 *   run from its TypeScript source, and against the twin compiled to JavaScript beforehand (see
 *   bench/app-processes.ts): node's start, loading Skein, compiling the app, the embedded node,
 *   the worker threads, the run and the exit all count.
 * - an in-process Skein session does, inside the bench's process, what `skein run` does
 *   (src/cli/run-command.ts): start an embedded DSO node with the registered object types, point
 *   the default client at it, configure the local backend (one worker thread per core), then run
 *   the app, whose cloud threads start their worker threads (which load the app's module) and
 *   connect to the node. Its first (**cold**) run counts the session's start; the clock stops when
 *   the app's result is in hand; tearing down (runtime, client, node) is not timed. The bench
 *   runs from the repository's sources, so these workers load them through tsx: the package's
 *   start-up is what the process runs measure.
 * - a **warm** Skein run is a second run in the same session, right after the cold one: the worker
 *   pool, the modules loaded in it and its connections are reused, as the local backend keeps them
 *   between runs of one process.
 * - a **twin** run starts its worker threads (from the twin's JavaScript bundle, compiled once per
 *   process by bench/twins/ts-worker.ts, as a program shipped as JavaScript would be) and stops when
 *   every worker has posted its result. A twin has no pool, so every twin run is cold.
 *
 * A round is one twin run and one Skein session (cold run, then warm run), then one process run of
 * each; rounds alternate which goes first so drift hits both. One round warms up (not recorded),
 * then `BENCH_RUNS` rounds (default 5) are recorded and the medians reported. Every result is
 * checked, so a broken app cannot produce a good ratio.
 *
 * Every run has a watchdog ({@link HANG_LIMITS}): a run that takes longer than 20 times the warm-up
 * twin run (and 30 s), or 5 minutes, fails the scenario with
 * {@link AppHangError}, naming the run; for a Skein run the error carries what the node and the
 * runtime showed at that moment. A session that hung or failed is torn down by closing its node
 * first (which fails the parked calls, so its cloud threads end); a hung twin's workers cannot be
 * reached and are left to `npm run bench`'s exit.
 */
import os from 'node:os';
import { appProcesses, type AppProcessSpec, type ProcessRun } from './app-processes.ts';
import { Client } from '../src/client/client.ts';
import { setDefaultClient } from '../src/client/default-client.ts';
import { configureRuntime, onThreadCounts, shutdownRuntime, type ThreadCounts } from '../src/runtime/runtime.ts';
import { startNode, type DsoNode } from '../src/server/node.ts';
import { median } from './load.ts';
import type { ScenarioResult } from './result.ts';

/** When a run counts as hung. */
export interface HangLimits {
  /** A run longer than this many times the warm-up twin run's time... */
  factor: number;
  /** ...and longer than this (worker start-up dominates tiny runs)... */
  floorMs: number;
  /** ...or longer than this, whatever the twin took. */
  capMs: number;
}

/** The bench's limits: 20x the warm-up twin run, at least 30 s, at most 5 minutes. */
export const HANG_LIMITS: HangLimits = { factor: 20, floorMs: 30_000, capMs: 5 * 60_000 };

/** Recorded rounds: `BENCH_RUNS` from the environment (a positive integer), default 5. */
export function benchRuns(): number {
  const raw = process.env.BENCH_RUNS;
  if (raw === undefined || raw === '') return 5;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`BENCH_RUNS must be a positive integer, got '${raw}'`);
  return n;
}

/** A run went past its watchdog; the message names the app, the run and what was seen. */
export class AppHangError extends Error {
  override readonly name = 'AppHangError';
}

/** An app and its twin, as an app scenario runs them. */
export interface AppPair<R> {
  /** The app's name, used in messages. */
  app: string;
  /** One run of the Skein app; called inside a session (default client and runtime set up). */
  skein(): Promise<R>;
  /** One run of the worker_threads twin. */
  twin(): Promise<R>;
  /**
   * Throws if `result` is wrong. `which` names the run (e.g. 'skein cold run 3'); `reference` is
   * the warm-up twin run's result, checked itself first with `reference` undefined.
   */
  check(result: R, which: string, reference: R | undefined): void;
  /** What the node shows of the app's objects, for a hang report (e.g. who waits at a barrier). */
  diagnose?(client: Client): Promise<string>;
  /** The app and the twin as processes of their own (see bench/app-processes.ts). */
  processes?: AppProcessSpec;
}

/** Seconds of each recorded run, and their medians. */
export interface AppTimes {
  cold: number[];
  warm: number[];
  twin: number[];
  coldMedian: number;
  warmMedian: number;
  twinMedian: number;
  /** Time of the warm-up twin run, the watchdog's yardstick. */
  warmupTwin: number;
  /** Seconds of each recorded process run of the app (`skein`), the twin and the compiled twin, and their medians. */
  processes?: { skein: number[]; twin: number[]; compiledTwin: number[]; skeinMedian: number; twinMedian: number; compiledTwinMedian: number };
}

/**
 * Runs the warm-up round and `runs` recorded rounds of `pair` (default {@link benchRuns}); see the
 * module doc for the method. Rejects with the first wrong result or {@link AppHangError}.
 */
export async function timeApp<R>(pair: AppPair<R>, { runs = benchRuns(), hang = HANG_LIMITS }: { runs?: number; hang?: HangLimits } = {}): Promise<AppTimes> {
  const times = { cold: [] as number[], warm: [] as number[], twin: [] as number[] };
  let reference: R | undefined;
  let limitMs = hang.capMs;
  const twinRun = async (label: string): Promise<number> => {
    const t0 = performance.now();
    const result = await watchdog(pair.twin(), limitMs, () => `${pair.app}: ${label} did not finish`);
    const seconds = (performance.now() - t0) / 1000;
    pair.check(result, label, reference);
    reference ??= result;
    return seconds;
  };
  const skeinRuns = (label: string): Promise<[number, number]> =>
    skeinSession(pair, limitMs, async (run) => {
      const cold = await run(`skein cold ${label}`);
      const warm = await run(`skein warm ${label}`);
      return [cold, warm];
    }, (result, which) => pair.check(result, which, reference));

  const warmupTwin = await twinRun('twin warm-up run');
  limitMs = Math.min(hang.capMs, Math.max(hang.floorMs, hang.factor * warmupTwin * 1000));
  await skeinRuns('warm-up run');
  const procs = pair.processes ? await appProcesses<R>(pair.processes) : undefined;
  try {
    const procTimes = { skein: [] as number[], twin: [] as number[], compiledTwin: [] as number[] };
    // One process run of each kind, in an order that turns round by round.
    const processRuns = async (label: string, turn: number): Promise<Record<keyof typeof procTimes, number>> => {
      const kinds = (['skein', 'twin', 'compiledTwin'] as const).map((_, i, all) => all[(i + turn) % all.length]!);
      const out = { skein: 0, twin: 0, compiledTwin: 0 };
      for (const kind of kinds) out[kind] = await processRun(pair, procs![kind], `${kind} process ${label}`, limitMs, reference);
      return out;
    };
    if (procs) await processRuns('warm-up run', 0);
    for (let r = 1; r <= runs; r++) {
      const label = `run ${r} of ${runs}`;
      if (r % 2 === 1) {
        times.twin.push(await twinRun(`twin ${label}`));
        pushPair(times, await skeinRuns(label));
      } else {
        pushPair(times, await skeinRuns(label));
        times.twin.push(await twinRun(`twin ${label}`));
      }
      const s = (xs: number[]): string => `${xs.at(-1)!.toFixed(2)} s`;
      let line = `  ${pair.app} ${label}: twin ${s(times.twin)}, skein cold ${s(times.cold)}, warm ${s(times.warm)}`;
      if (procs) {
        const run = await processRuns(label, r);
        for (const kind of ['skein', 'twin', 'compiledTwin'] as const) procTimes[kind].push(run[kind]);
        line += `; processes: skein run ${s(procTimes.skein)}, twin ${s(procTimes.twin)}, compiled twin ${s(procTimes.compiledTwin)}`;
      }
      process.stderr.write(`${line}\n`);
    }
    return {
      ...times,
      coldMedian: median(times.cold),
      warmMedian: median(times.warm),
      twinMedian: median(times.twin),
      warmupTwin,
      ...(procs
        ? { processes: { ...procTimes, skeinMedian: median(procTimes.skein), twinMedian: median(procTimes.twin), compiledTwinMedian: median(procTimes.compiledTwin) } }
        : {}),
    };
  } finally {
    await procs?.close();
  }
}

/** Times one process run (killed by the watchdog if it hangs) and checks its result. */
async function processRun<R>(pair: AppPair<R>, run: ProcessRun<R>, label: string, limitMs: number, reference: R | undefined): Promise<number> {
  const abort = new AbortController();
  const t0 = performance.now();
  try {
    const result = await watchdog(run(abort.signal), limitMs, () => `${pair.app}: ${label} did not finish`);
    const seconds = (performance.now() - t0) / 1000;
    pair.check(result, label, reference);
    return seconds;
  } finally {
    abort.abort();
  }
}

function pushPair(times: { cold: number[]; warm: number[] }, [cold, warm]: [number, number]): void {
  times.cold.push(cold);
  times.warm.push(warm);
}

/**
 * One Skein session as `skein run` sets it up; `body` gets `run(label)`, which runs the app once
 * and answers its seconds. The first `run` also counts the session's start.
 */
async function skeinSession<R, T>(
  pair: AppPair<R>,
  limitMs: number,
  body: (run: (label: string) => Promise<number>) => Promise<T>,
  check: (result: R, which: string) => void,
): Promise<T> {
  let started = performance.now();
  const savedDso = process.env.SKEIN_DSO;
  const savedWindow = process.env.SKEIN_RETRY_WINDOW_MS;
  // A run that hangs or fails is torn down by closing its node: threads still calling it should
  // give up soon, not wait out the default window for a node that will not come back.
  process.env.SKEIN_RETRY_WINDOW_MS = '500';
  let node: DsoNode | undefined;
  let client: Client | undefined;
  let counts: ThreadCounts | undefined;
  let base: ThreadCounts | undefined;
  // Counts are process-wide: the session's first event is its first spawn, which sets the base.
  const off = onThreadCounts((c) => {
    base ??= { spawned: c.spawned - 1, done: c.done, failed: c.failed };
    counts = { ...c };
  });
  let finished = false;
  try {
    node = await startNode({ logLevel: 'warn', objects: 'registered' });
    process.env.SKEIN_DSO = node.url;
    client = new Client({ url: node.url });
    setDefaultClient(client);
    configureRuntime({ backend: 'local', workers: os.availableParallelism() });
    const c = client;
    const out = await body(async (label) => {
      const t0 = started;
      const result = await watchdog(pair.skein(), limitMs, async () => {
        const seen = await describeHang(pair, c, base, counts);
        return `${pair.app}: ${label} did not finish; ${seen}`;
      });
      const seconds = (performance.now() - t0) / 1000;
      check(result, label);
      started = performance.now();
      return seconds;
    });
    finished = true;
    return out;
  } finally {
    off();
    // After a hang or a failed thread, threads may be parked on the node: closing it first fails
    // their calls, so the runtime's shutdown (which waits for its threads) can finish.
    if (!finished) await node?.close();
    await watchdog(shutdownRuntime(), 30_000, () => `${pair.app}: the runtime did not shut down`).catch((err: Error) =>
      process.stderr.write(`${err.message}\n`),
    );
    await client?.close();
    setDefaultClient(undefined);
    await node?.close();
    if (savedDso === undefined) delete process.env.SKEIN_DSO;
    else process.env.SKEIN_DSO = savedDso;
    if (savedWindow === undefined) delete process.env.SKEIN_RETRY_WINDOW_MS;
    else process.env.SKEIN_RETRY_WINDOW_MS = savedWindow;
  }
}

/** What the node and the runtime show while a run is stuck. */
async function describeHang<R>(pair: AppPair<R>, client: Client, base: ThreadCounts | undefined, counts: ThreadCounts | undefined): Promise<string> {
  const parts: string[] = [];
  const d = base && counts ? { spawned: counts.spawned - base.spawned, done: counts.done - base.done, failed: counts.failed - base.failed } : { spawned: 0, done: 0, failed: 0 };
  parts.push(`threads spawned ${d.spawned}, done ${d.done}, failed ${d.failed}`);
  const ask = async (what: string, q: () => Promise<string>): Promise<void> => {
    try {
      parts.push(await watchdog(q(), 5000, () => `${what}: no answer in 5 s`));
    } catch (err) {
      parts.push(`${what}: ${(err as Error).message}`);
    }
  };
  await ask('keys', async () => `objects on the node: ${(await client.keys()).join(', ') || '(none)'}`);
  if (pair.diagnose) await ask('diagnose', () => pair.diagnose!(client));
  return parts.join('; ');
}

/**
 * `work`, or an {@link AppHangError} with `message()`'s text once `ms` pass.
 */
export function watchdog<T>(work: Promise<T>, ms: number, message: () => string | Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void Promise.resolve()
        .then(message)
        .then((m) => reject(new AppHangError(`${m} (watchdog: ${(ms / 1000).toFixed(0)} s)`)), reject);
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** How an app's target reads in BENCHMARKS.md: a bound on its time, or on its speed, vs the twin. */
export type AppTarget = { time: number } | { speed: number } | undefined;

/**
 * The scenario record of `t`: Skein's medians, the twin's, and the ratios vs the twin (`time`
 * ratios are Skein over twin, `speed` ratios twin over Skein). The cold ratio, the figure
 * BENCHMARKS.md targets, compares the process runs (`skein run` of the built package against the
 * twin's process, both from TypeScript) when there are some, else the in-process session's first
 * run with the twin's run; the process runs also give, untargeted, the ratio against the twin
 * compiled beforehand. The warm ratio carries the same bound as the cold one, for comparison.
 */
export function appResult(scenario: string, what: string, t: AppTimes, target: AppTarget): ScenarioResult {
  const bySpeed = target !== undefined && 'speed' in target;
  const name = (variant: string): string => (bySpeed ? `${variant} speed vs twin` : `${variant} time vs twin`);
  const ratio = (skein: number, twin: number): number => (bySpeed ? twin / skein : skein / twin);
  const bound = target === undefined ? undefined : 'speed' in target ? { min: target.speed } : { max: target.time };
  const cold = t.processes ? ratio(t.processes.skeinMedian, t.processes.twinMedian) : ratio(t.coldMedian, t.twinMedian);
  return {
    scenario,
    what: `${what}; medians of ${t.twin.length} alternating runs${t.processes ? "; cold = skein run vs the twin's process, both from TypeScript" : ''}`,
    skein: { ...(t.processes ? { cold_process_s: t.processes.skeinMedian, first_in_process_s: t.coldMedian } : { cold_s: t.coldMedian }), warm_s: t.warmMedian },
    peers: {
      twin: { s: t.twinMedian, ...(t.processes ? { process_s: t.processes.twinMedian, compiled_process_s: t.processes.compiledTwinMedian } : {}) },
    },
    ratios: {
      [name('cold')]: cold,
      ...(t.processes ? { [`${name('cold')} compiled`]: ratio(t.processes.skeinMedian, t.processes.compiledTwinMedian) } : {}),
      [name('warm')]: ratio(t.warmMedian, t.twinMedian),
    },
    targets: bound ? { [name('cold')]: bound, [name('warm')]: bound } : {},
  };
}
