import type { Backend } from '../runtime/backend.ts';
import { InFlight } from '../runtime/in-flight.ts';
import { launch } from '../runtime/launch.ts';
import { createBackend, runtimeBackend, type RuntimeOptions } from '../runtime/runtime.ts';
import type { Task } from './task.ts';

/** Options of {@link ServerlessExecutor.parallelFor}. */
export interface ParallelForOptions<F> {
  /** First index (inclusive). */
  from: number;
  /** Last index (exclusive). */
  to: number;
  /** Number of threads; each gets one contiguous block of indexes. Default: one per index. */
  workers?: number;
  /** A task run once after every block is done; its result is what `parallelFor` resolves to. */
  finalizer?: Task<void, F>;
}

/**
 * Crucial's `ServerlessExecutorService`: submit tasks, wait for all, run a parallel for loop over
 * cloud threads. With no options it uses the process-wide runtime (the backend `skein run` chose);
 * given a backend it owns it and stops it at {@link shutdown}.
 */
export class ServerlessExecutor {
  private readonly backend: Backend | undefined;
  private readonly running = new InFlight();
  private stopped = false;

  constructor(opts?: RuntimeOptions) {
    this.backend = opts ? createBackend(opts) : undefined;
  }

  /**
   * Starts one thread; resolves with its result (rejections as `ThreadHandle.join`, and a
   * `SerializationError` if `arg` cannot be sent).
   */
  submit<A, R>(task: Task<A, R>, arg: A): Promise<R> {
    if (this.stopped) return Promise.reject(new Error('the executor is shut down'));
    try {
      const { result } = launch(this.target(), { module: task.definition.module, task: task.name, arg }, task.definition.retries);
      return this.running.track(result) as Promise<R>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Starts one thread per call, all at once; resolves with their results in order, or rejects
   * with the first failure (the other threads still run to completion).
   */
  invokeAll<R>(calls: ReadonlyArray<readonly [Task<any, R>, unknown]>): Promise<R[]> {
    return Promise.all(calls.map(([t, arg]) => this.submit(t, arg)));
  }

  /**
   * Runs `task(i)` for every `i` in `[from, to)` on `workers` threads with static block
   * partitioning (Crucial's `invokeIterativeTask`): thread k runs its block's indexes in order, one
   * invocation per thread, not per index. Resolves after the finalizer (if any) with its result.
   */
  async parallelFor<F = void>(task: Task<number, unknown>, opts: ParallelForOptions<F>): Promise<F | undefined> {
    const { from, to } = opts;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
      throw new RangeError(`parallelFor needs integers from <= to, got from=${from} to=${to}`);
    }
    const n = to - from;
    const workers = Math.min(opts.workers ?? n, n);
    if (n > 0 && (!Number.isInteger(workers) || workers < 1)) throw new RangeError('workers must be an integer >= 1');
    if (this.stopped) throw new Error('the executor is shut down');
    const blocks: Promise<unknown>[] = [];
    for (let k = 0; k < workers; k++) {
      const lo = from + Math.floor((k * n) / workers);
      const hi = from + Math.floor(((k + 1) * n) / workers);
      const { result } = launch(
        this.target(),
        { module: task.definition.module, task: task.name, arg: null, block: [lo, hi] },
        task.definition.retries,
      );
      blocks.push(this.running.track(result));
    }
    await Promise.all(blocks);
    return opts.finalizer ? this.submit(opts.finalizer, undefined) : undefined;
  }

  /** Refuses new work, waits for the threads already started, and stops an owned backend. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.running.settled();
    await this.backend?.close();
  }

  private target(): Backend {
    return this.backend ?? runtimeBackend();
  }
}
