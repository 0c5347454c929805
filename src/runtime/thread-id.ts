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

/** A running thread: its id, and whether its code asked for it (it may then get messages). */
interface Running {
  readonly id: string;
  asked: boolean;
}

const running = new AsyncLocalStorage<Running>();

/**
 * Runs `fn` as the body of thread `id`: {@link currentThreadId} answers `id` within it. `asked()`
 * tells, once `fn` is done, whether its code asked for its id (so others may send to it).
 */
export function runAsThread<T>(id: string, fn: () => T): { value: T; asked(): boolean } {
  const store: Running = { id, asked: false };
  return { value: running.run(store, fn), asked: () => store.asked };
}

/** The id of the cloud thread this code runs in, or the program's own id (`n = 0`) outside one. */
export function currentThreadId(): string {
  const store = running.getStore();
  if (!store) return `${RUN}-0`;
  store.asked = true;
  return store.id;
}
