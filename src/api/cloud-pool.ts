import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Backend } from '../runtime/backend.ts';
import { InFlight } from '../runtime/in-flight.ts';
import { launch } from '../runtime/launch.ts';
import { createBackend, type RuntimeOptions } from '../runtime/runtime.ts';

/** Options of {@link CloudPool}, a subset of piscina's plus the backend. */
export interface CloudPoolOptions extends Omit<RuntimeOptions, 'workers'> {
  /** The worker module: an absolute path or a file URL, as in piscina. */
  filename: string;
  /** Default export to call when `run` names none (piscina's `name`); default `'default'`. */
  name?: string;
  /** Workers (piscina's `maxThreads`); default as the backend's. */
  maxThreads?: number;
}

/** Per-call options of {@link CloudPool.run}. */
export interface RunOptions {
  /** The export of the worker module to call; default the pool's `name`. */
  name?: string;
}

/**
 * A piscina-compatible pool whose tasks run as cloud threads. Code written for piscina moves to
 * Skein by changing the constructor: `new Piscina({ filename })` becomes
 * `new CloudPool({ filename })`; the worker file is unchanged (its default or named exports are
 * called with the task data; async functions are awaited). Task data and results must be msgpack
 * values rather than anything structured clone can copy; `transferList` and `signal` are not
 * supported.
 */
export class CloudPool {
  private readonly backend: Backend;
  private readonly module: string;
  private readonly defaultName: string;
  private readonly running = new InFlight();
  private destroyed = false;
  /** Number of tasks completed (resolved or rejected). */
  completed = 0;

  constructor(opts: CloudPoolOptions) {
    if (typeof opts?.filename !== 'string' || opts.filename.length === 0) {
      throw new TypeError('CloudPool needs a filename (an absolute path or file URL of the worker module)');
    }
    if (!opts.filename.startsWith('file:') && !isAbsolute(opts.filename)) {
      throw new TypeError(`CloudPool filename must be absolute or a file URL, got '${opts.filename}'`);
    }
    this.module = opts.filename.startsWith('file:') ? opts.filename : pathToFileURL(opts.filename).href;
    this.defaultName = opts.name ?? 'default';
    const { filename: _f, name: _n, maxThreads, ...rest } = opts;
    this.backend = createBackend({ ...rest, ...(maxThreads !== undefined ? { workers: maxThreads } : {}) });
  }

  /**
   * Runs the worker module's export `name` with `data` as a cloud thread; resolves to its result.
   * Rejects (never throws, as piscina) with a `SerializationError` if `data` cannot be sent.
   */
  run<R = any>(data: unknown, opts: RunOptions = {}): Promise<R> {
    if (this.destroyed) return Promise.reject(new Error('the pool is destroyed'));
    let result: Promise<unknown>;
    try {
      ({ result } = launch(this.backend, { module: this.module, export: opts.name ?? this.defaultName, arg: data }));
    } catch (err) {
      return Promise.reject(err);
    }
    const done = (): void => void this.completed++;
    this.running.track(result).then(done, done);
    return result as Promise<R>;
  }

  /** Tasks started and not finished. */
  get queueSize(): number {
    return this.running.size;
  }

  /** Waits for running tasks, then stops the workers (piscina's `close`). */
  async close(): Promise<void> {
    this.destroyed = true;
    await this.running.settled();
    await this.backend.close();
  }

  /** Stops the pool; tasks still running finish first here (unlike piscina, which aborts them). */
  async destroy(): Promise<void> {
    await this.close();
  }
}
