import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/**
 * Ids of cloud threads: `<pid>-<run>-<n>`, where `run` is 8 hex digits drawn at random when this
 * module loads (so ids stay unique across processes, worker threads and machines, and across
 * restarts that reuse a pid) and `n` counts the threads spawned here; `n = 0` names the program
 * itself (the main thread of the process, or whatever runs outside a cloud thread).
 */
const RUN = `${process.pid}-${randomBytes(4).toString('hex')}`;
const ID = /^\d+-[0-9a-f]{8}-\d+$/;

let spawned = 0;

/** A new thread id, unique to this run. */
export function newThreadId(): string {
  return `${RUN}-${++spawned}`;
}

/** Whether `value` has the shape of a thread id. */
export function isThreadId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

const running = new AsyncLocalStorage<string>();

/** Runs `fn` as the body of thread `id`: {@link currentThreadId} answers `id` within it. */
export function runAsThread<T>(id: string, fn: () => T): T {
  return running.run(id, fn);
}

/** The id of the cloud thread this code runs in, or the program's own id (`n = 0`) outside one. */
export function currentThreadId(): string {
  return running.getStore() ?? `${RUN}-0`;
}
