import { callerModule } from '../runtime/caller-module.ts';
import { atCallSite } from './call-site.ts';
import { launch } from '../runtime/launch.ts';
import { runtimeBackend } from '../runtime/runtime.ts';
import { registerTask, type TaskDefinition } from '../runtime/task-registry.ts';
import type { Session } from '../client/session.ts';

/** Options of {@link task}. */
export interface TaskOptions {
  /**
   * Run a failed thread again up to this many times (default 0). Opt-in because a retried thread
   * repeats its side effects on shared objects.
   */
  retries?: number;
  /**
   * File URL of the module that defines the task (`import.meta.url`). Inferred from the call
   * stack when omitted; give it if your bundler or loader hides module paths.
   */
  module?: string;
}

/** Options of {@link Task.spawn} and {@link Task.run}. */
export interface SpawnOptions {
  /**
   * The session the thread runs in: its lattice reads and writes keep the session's level, and
   * what it sees comes back with its result. The spawner's writes reach the DSO before the thread
   * starts.
   */
  session?: Session;
}

/** A running (or finished) cloud thread. */
export interface ThreadHandle<R> {
  /**
   * The thread's id, unique across processes and machines: what `threadId()` answers inside the
   * thread, and the address other threads `send` messages to.
   */
  readonly id: string;
  /**
   * Resolves with the thread's result, or rejects with a `RemoteError` (the thread threw: its
   * name, message and remote stack; `origin` names the thread), `WorkerCrashedError` (its worker
   * died) or `TimeoutError`; the error's stack shows where `join()` was awaited.
   */
  join(): Promise<R>;
}

/** A named function that runs as a cloud thread. */
export interface Task<A, R> {
  /** The task's unique name. */
  readonly name: string;
  /** The registration the runtime uses. */
  readonly definition: TaskDefinition;
  /**
   * Starts a thread running the task with `arg` and returns at once. `arg` must be a msgpack
   * value (handles travel as references); anything else throws a `SerializationError` here.
   */
  spawn(arg: A, opts?: SpawnOptions): ThreadHandle<R>;
  /** `spawn(arg, opts).join()`, except that an argument that cannot be sent rejects rather than throws. */
  run(arg: A, opts?: SpawnOptions): Promise<R>;
}

/**
 * Defines a task: a named async function that runs as a cloud thread. Define tasks at the top
 * level of a module the app's entry imports: workers import that module (never calling `main`)
 * and find the task by name, so module top-level code must have no side effects beyond
 * definitions. Inside the thread, handles that name no client use the DSO of the spawner.
 *
 * ```ts
 * export const sample = task('sample', async (n: number) => countHits(n));
 * const hits = await sample.run(1e7);
 * ```
 */
export function task<A = void, R = unknown>(
  name: string,
  fn: (arg: A) => R | Promise<R>,
  opts: TaskOptions = {},
): Task<A, Awaited<R>> {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('a task needs a non-empty name');
  if (typeof fn !== 'function') throw new TypeError(`task '${name}' needs a function`);
  const retries = opts.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError('retries must be an integer >= 0');
  const module = opts.module ?? callerModule();
  if (!module) throw new Error(`cannot tell which module defines task '${name}'; pass { module: import.meta.url }`);
  const definition: TaskDefinition = { name, fn, module, retries };
  registerTask(definition);
  const spawn = (arg: A, spawnOpts: SpawnOptions = {}): ThreadHandle<Awaited<R>> => {
    const launched = launch(runtimeBackend(), { module, task: name, arg }, retries, spawnOpts.session);
    return {
      // A getter: an id read goes out, so the thread's mailbox is closed when it ends.
      get id() {
        return launched.threadId;
      },
      join: () => atCallSite(launched.result as Promise<Awaited<R>>),
    };
  };
  const run = (arg: A, spawnOpts?: SpawnOptions): Promise<Awaited<R>> => {
    try {
      return spawn(arg, spawnOpts).join();
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return { name, definition, spawn, run };
}
