import type { Backend, BackendName, BackendOptions, WorkerStats } from './backend.ts';
import { LocalBackend } from './backends/local.ts';
import { HttpBackend } from './backends/http.ts';
import { LambdaBackend } from './backends/lambda.ts';
import { ProcessBackend } from './backends/process.ts';

/** Where threads that name no executor run. */
export interface RuntimeOptions extends BackendOptions {
  /** A built-in backend by name, or any {@link Backend}. Default `local`. */
  backend?: BackendName | Backend;
}

/** Creates a built-in backend, or passes a custom one through. */
export function createBackend(opts: RuntimeOptions = {}): Backend {
  const b = opts.backend ?? 'local';
  if (typeof b !== 'string') return b;
  const { workers, timeoutMs, stallWarningMs, functionName, region, endpoint, url, secret, minWorkers, idleMs } = opts;
  if (b !== 'process' && (minWorkers !== undefined || idleMs !== undefined)) {
    throw new TypeError(`minWorkers and idleMs apply to the process backend, which keeps warm processes; the ${b} backend ${b === 'local' ? 'keeps its worker threads for the run' : 'leaves warm instances to the platform'}`);
  }
  const common = { ...(workers !== undefined ? { workers } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  switch (b) {
    case 'local':
      if (timeoutMs !== undefined) throw new TypeError('timeoutMs needs the process backend; a worker thread cannot be stopped alone');
      return new LocalBackend(common);
    case 'process':
      return new ProcessBackend({
        ...common,
        ...(stallWarningMs !== undefined ? { stallWarningMs } : {}),
        ...(minWorkers !== undefined ? { minWorkers } : {}),
        ...(idleMs !== undefined ? { idleMs } : {}),
      });
    case 'lambda':
      if (!functionName) throw new TypeError('the lambda backend needs functionName (skein run --function F)');
      if (timeoutMs !== undefined) throw new TypeError("timeoutMs does not apply to the lambda backend: the function's timeout is set at deploy (--timeout)");
      return new LambdaBackend({
        functionName,
        ...(region ? { region } : {}),
        ...(endpoint ? { endpoint } : {}),
        ...(workers !== undefined ? { concurrency: workers } : {}),
      });
    case 'http':
      if (!url) throw new TypeError('the http backend needs url (skein run --url URL)');
      return new HttpBackend({
        url,
        ...(secret !== undefined ? { secret } : {}),
        ...(workers !== undefined ? { concurrency: workers } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
    default:
      throw new TypeError(`unknown backend '${String(b)}'; built-in backends: local, process, lambda, http`);
  }
}

let current: Backend | undefined;
let configured: RuntimeOptions = {};

/**
 * Chooses the backend for threads spawned with `task.spawn`, `task.run` and `CloudThread`
 * (`skein run` calls this from its flags). Takes effect for the next spawn; a backend already
 * started is shut down once its threads finish.
 */
export function configureRuntime(opts: RuntimeOptions): void {
  const old = current;
  current = undefined;
  configured = { ...opts };
  void old?.close();
}

/** The backend of the process-wide runtime, started on first use. */
export function runtimeBackend(): Backend {
  current ??= createBackend(configured);
  return current;
}

/**
 * Starts the configured backend's workers now, when it keeps a pool of its own on this machine
 * (local); otherwise does nothing. `skein run` calls it so that worker threads start while the
 * app is compiled and loaded.
 */
export function prestartRuntime(): void {
  const b = runtimeBackend();
  if (b instanceof LocalBackend || b instanceof ProcessBackend) b.prestart();
}

/** What the runtime's workers are doing now (undefined before the first thread, or for backends with no workers of their own). */
export function runtimeWorkerStats(): WorkerStats | undefined {
  return current?.stats?.();
}

/** Waits for running threads, then stops the runtime's workers. */
export async function shutdownRuntime(): Promise<void> {
  const b = current;
  current = undefined;
  await b?.close();
}

/** Counts of threads for progress displays. */
export interface ThreadCounts {
  spawned: number;
  done: number;
  failed: number;
}

const counts: ThreadCounts = { spawned: 0, done: 0, failed: 0 };
const listeners = new Set<(c: Readonly<ThreadCounts>) => void>();

/** The thread counts of this process so far (a copy). */
export function threadCounts(): ThreadCounts {
  return { ...counts };
}

/** Subscribes to thread counts (called on every spawn and finish); returns the unsubscribe. */
export function onThreadCounts(listener: (c: Readonly<ThreadCounts>) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** @internal Records a spawn or a finish. */
export function countThread(event: 'spawned' | 'done' | 'failed'): void {
  counts[event]++;
  for (const l of listeners) l(counts);
}
