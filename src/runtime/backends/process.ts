import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { TimeoutError } from '../../errors/timeout-error.ts';
import { WorkerCrashedError } from '../../errors/worker-crashed-error.ts';
import type { Backend, BackendOptions, WorkerStats } from '../backend.ts';
import { relayStep } from '../dag-step.ts';
import { FROM_SOURCE } from '../skein-files.ts';

interface Job {
  id: number;
  envelope: Uint8Array;
  threadId: string;
  resolve(outcome: Uint8Array): void;
  reject(err: Error): void;
}

interface Proc {
  child: ChildProcess;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Whether the process has booted; until then a job's clock has not started. */
  ready: boolean;
  /** Retires the process when it has stayed idle for `idleMs`. */
  idleTimer: NodeJS.Timeout | undefined;
}

// The worker's main, compiled; from the sources, a bootstrap that registers tsx before it.
const ENTRY = fileURLToPath(new URL(FROM_SOURCE ? './process-worker.js' : './process-worker-main.js', import.meta.url));

/** Default concurrency limit of the process backend, like a FaaS account's. */
export const DEFAULT_PROCESS_CONCURRENCY = 64;

/** Default of `stallWarningMs`: how long threads may queue behind busy processes before a warning. */
export const DEFAULT_STALL_WARNING_MS = 10_000;

/** Default of `idleMs`: how long an idle process stays warm before it is retired. */
export const DEFAULT_IDLE_MS = 30_000;

/** Longest a worker process may take to boot (its init phase) before its thread fails. */
export const PROCESS_INIT_TIMEOUT_MS = 30_000;

/**
 * Runs each cloud thread in a child process, one thread per process at a time, like a FaaS
 * container. Processes start on demand (cold), are reused when idle (warm), and at most `workers`
 * run at once; further threads queue. With `timeoutMs`, an invocation that runs longer is killed
 * and its thread fails with {@link TimeoutError}. As on FaaS platforms, the clock starts once the
 * process has booted: a cold start's init phase does not count against `timeoutMs`, but has its
 * own bound, {@link PROCESS_INIT_TIMEOUT_MS}. The pool scales with load: a thread that finds no idle
 * process starts one (up to `workers`), and a process idle for `idleMs` is retired, down to
 * `minWorkers` kept warm (started by {@link ProcessBackend.prestart}). `events` emits `'start'` and
 * `'retire'` for each process. Threads queued behind `workers` busy processes for
 * `stallWarningMs` with none finishing raise a `SKEIN_THREADS_STALLED` process warning: if they
 * wait on each other (a barrier wider than `workers`), that is a deadlock. A process that dies
 * fails its thread with
 * {@link WorkerCrashedError} and is replaced on demand; other threads go on.
 */
export class ProcessBackend implements Backend {
  readonly name = 'process';
  private readonly limit: number;
  private readonly min: number;
  private readonly idleMs: number;
  private counts = { started: 0, retired: 0 };
  /** Emits `'start'` when a process is started and `'retire'` when an idle one is retired. */
  readonly events = new EventEmitter();
  private readonly timeoutMs: number | undefined;
  private readonly stallWarningMs: number;
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly idle: Proc[] = [];
  private readonly procs = new Set<Proc>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing = false;
  private drained: Promise<void> | undefined;
  private onDrained: (() => void) | undefined;

  constructor(opts: BackendOptions = {}) {
    this.limit = opts.workers ?? DEFAULT_PROCESS_CONCURRENCY;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new RangeError('workers must be an integer >= 1');
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
    this.timeoutMs = opts.timeoutMs;
    this.stallWarningMs = opts.stallWarningMs ?? DEFAULT_STALL_WARNING_MS;
    if (!(this.stallWarningMs >= 0)) throw new RangeError('stallWarningMs must be >= 0');
    this.min = opts.minWorkers ?? 0;
    if (!Number.isInteger(this.min) || this.min < 0 || this.min > this.limit) throw new RangeError(`minWorkers must be an integer from 0 to workers (${this.limit})`);
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
    if (!(this.idleMs > 0)) throw new RangeError('idleMs must be > 0');
  }

  /** Starts the `minWorkers` warm processes now rather than at the first threads. */
  prestart(): void {
    while (!this.closing && this.procs.size < this.min) this.rest(this.spawn());
  }

  /** The processes now: alive, busy, idle; threads queued; the bounds; started and retired so far. */
  stats(): WorkerStats {
    return {
      backend: this.name,
      workers: this.procs.size,
      busy: this.busy(),
      idle: this.idle.length,
      queued: this.queue.length,
      min: this.min,
      max: this.limit,
      ...this.counts,
    };
  }

  invoke(envelope: Uint8Array, threadId: string): Promise<Uint8Array> {
    if (this.closing) return Promise.reject(new WorkerCrashedError('the process backend is shut down'));
    return new Promise<Uint8Array>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, envelope, threadId, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.busy() > 0 || this.queue.length > 0) {
      this.drained ??= new Promise<void>((r) => (this.onDrained = r));
      await this.drained;
    }
    for (const p of this.procs) {
      if (p.idleTimer) clearTimeout(p.idleTimer);
      p.child.kill();
    }
    this.procs.clear();
    this.idle.length = 0;
  }

  private busy(): number {
    return this.procs.size - this.idle.length;
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.procs.size < this.limit)) {
      const proc = this.idle.pop() ?? this.spawn();
      this.start(proc, this.queue.shift()!);
    }
    if (this.closing && this.queue.length === 0 && this.busy() === 0) this.onDrained?.();
    this.watchStall();
  }

  /** Keeps a timer running while threads are queued behind busy processes; see the class TSDoc. */
  private watchStall(): void {
    const stalled = this.queue.length > 0 && this.idle.length === 0 && this.procs.size >= this.limit;
    if (!stalled || this.stallWarningMs === 0) {
      if (this.stallTimer) clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      return;
    }
    if (this.stallTimer) return;
    const ms = this.stallWarningMs;
    this.stallTimer = setTimeout(() => {
      process.emitWarning(
        `${this.queue.length} cloud thread(s) have waited ${ms} ms for one of the ${this.limit} worker processes, all busy, and none finished meanwhile. ` +
          `If running threads wait on queued ones (a barrier or latch wider than the pool), this is a deadlock: raise workers (skein run --workers) above the number of threads that block at once.`,
        { code: 'SKEIN_THREADS_STALLED' },
      );
    }, ms);
    this.stallTimer.unref();
  }

  /** `proc` waits for work; retired after `idleMs` unless the pool is at `minWorkers`. */
  private rest(proc: Proc): void {
    this.idle.push(proc);
    // An idle process does not keep this one alive.
    proc.child.unref();
    (proc.child.channel as { unref?: () => void } | undefined)?.unref?.();
    proc.idleTimer = setTimeout(() => this.retire(proc), this.idleMs);
    proc.idleTimer.unref();
  }

  private retire(proc: Proc): void {
    proc.idleTimer = undefined;
    const i = this.idle.indexOf(proc);
    if (i < 0 || this.procs.size <= this.min) return;
    this.idle.splice(i, 1);
    this.procs.delete(proc);
    this.counts.retired++;
    proc.child.kill();
    this.events.emit('retire', proc.child.pid);
  }

  private start(proc: Proc, job: Job): void {
    if (proc.idleTimer) clearTimeout(proc.idleTimer);
    proc.idleTimer = undefined;
    proc.job = job;
    proc.child.ref();
    (proc.child.channel as { ref?: () => void } | undefined)?.ref?.();
    proc.child.send({ id: job.id, envelope: job.envelope });
    if (proc.ready) this.arm(proc, job);
    else {
      proc.timer = setTimeout(() => {
        proc.job = undefined;
        job.reject(new TimeoutError(`the process for thread ${job.threadId} did not boot within ${PROCESS_INIT_TIMEOUT_MS} ms; it was killed`));
        proc.child.kill('SIGKILL');
      }, PROCESS_INIT_TIMEOUT_MS);
    }
  }

  /** Starts the invocation clock of `job`, running on the booted `proc`. */
  private arm(proc: Proc, job: Job): void {
    if (proc.timer) clearTimeout(proc.timer);
    proc.timer = undefined;
    if (this.timeoutMs === undefined) return;
    const ms = this.timeoutMs;
    proc.timer = setTimeout(() => {
      proc.job = undefined;
      job.reject(new TimeoutError(`thread ${job.threadId} ran longer than ${ms} ms; its process was killed`));
      proc.child.kill('SIGKILL');
    }, ms);
  }

  private spawn(): Proc {
    const child = fork(ENTRY, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const proc: Proc = { child, job: undefined, timer: undefined, ready: false, idleTimer: undefined };
    this.procs.add(proc);
    this.counts.started++;
    this.events.emit('start', child.pid);
    child.on('message', (msg: { id?: number; outcome?: Uint8Array; ready?: boolean; relay?: Uint8Array }) => {
      if (msg.relay) return relayStep((envelope, threadId) => this.invoke(envelope, threadId), msg.relay);
      if (msg.ready === true) {
        proc.ready = true;
        if (proc.job) this.arm(proc, proc.job);
        return;
      }
      const job = proc.job;
      if (msg.id === undefined || !job || job.id !== msg.id) return;
      if (proc.timer) clearTimeout(proc.timer);
      proc.job = undefined;
      proc.timer = undefined;
      this.rest(proc);
      if (this.stallTimer) clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      child.unref();
      (child.channel as { unref?: () => void } | undefined)?.unref?.();
      job.resolve(msg.outcome!);
      this.pump();
    });
    child.on('exit', (code, signal) => {
      if (proc.timer) clearTimeout(proc.timer);
      if (proc.idleTimer) clearTimeout(proc.idleTimer);
      this.procs.delete(proc);
      const i = this.idle.indexOf(proc);
      if (i >= 0) this.idle.splice(i, 1);
      const job = proc.job;
      proc.job = undefined;
      if (job) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        job.reject(new WorkerCrashedError(`the process running thread ${job.threadId} (pid ${child.pid}) ${how}`));
      }
      this.pump();
    });
    child.on('error', () => undefined);
    return proc;
  }
}
