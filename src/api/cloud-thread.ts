import type { Task, ThreadHandle } from './task.ts';

/**
 * A cloud thread in Crucial's (and Java's) style: construct it with a task and its argument,
 * `start()` it, `join()` it.
 *
 * ```ts
 * const t = new CloudThread(sample, 1e7);
 * t.start();
 * const hits = await t.join();
 * ```
 */
export class CloudThread<A, R> {
  private handle: ThreadHandle<R> | undefined;

  constructor(
    readonly task: Task<A, R>,
    readonly arg: A,
  ) {}

  /** Starts the thread; throws if it was already started, or if `arg` cannot be sent. */
  start(): this {
    if (this.handle) throw new Error(`thread of task '${this.task.name}' was already started`);
    this.handle = this.task.spawn(this.arg);
    return this;
  }

  /** Waits for the thread and resolves to its result (rejections as `ThreadHandle.join`). */
  join(): Promise<R> {
    if (!this.handle) return Promise.reject(new Error(`thread of task '${this.task.name}' was never started`));
    return this.handle.join();
  }

  /** The thread's id once started (`ThreadHandle.id`: what `threadId()` answers inside it); undefined before. */
  get id(): string | undefined {
    return this.handle?.id;
  }
}
