import { hostname } from 'node:os';
import { pruneApps, publishApp, type AppStatus } from '../client/apps.ts';
import type { Client } from '../client/client.ts';
import { runtimeWorkerStats, threadCounts } from './runtime.ts';

/** A program's report of itself in its DSO's registry of apps (see `APPS_KEY`). */
export interface AppReport {
  /**
   * Writes the final status (`ok` or `failed`, with the final thread counts), stops the updates
   * and removes apps long gone from the registry. Never rejects: a DSO that cannot be reached
   * loses the report, not the program's result.
   */
  finish(outcome: 'ok' | 'failed'): Promise<void>;
}

/**
 * Reports this process as an app running `program` to `client`'s DSO: at once, then every
 * `intervalMs` (a timer that does not keep the process alive) with its thread counts and the
 * stats of `client`'s lattice cache, so the cost is one small write a second whatever the number
 * of threads, and nothing on the thread launch path. A write that fails is skipped (the next one
 * tries again).
 */
export function reportApp(client: Client, program: string, intervalMs = 1000): AppReport {
  const started = Date.now();
  const host = hostname();
  const status = (outcome: AppStatus['outcome']): AppStatus => {
    const c = threadCounts();
    const workers = runtimeWorkerStats();
    const now = Date.now();
    return {
      id: `${host}:${process.pid}:${started}`,
      program,
      host,
      pid: process.pid,
      started,
      updated: now,
      finished: outcome === 'running' ? null : now,
      outcome,
      threads: { running: c.spawned - c.done - c.failed, done: c.done, failed: c.failed },
      cache: client.cacheStats(),
      ...(workers ? { workers } : {}),
    };
  };
  let writing: Promise<void> = Promise.resolve();
  let busy = false;
  const update = (): void => {
    if (busy) return;
    busy = true;
    writing = publishApp(client, status('running'))
      .catch(() => undefined)
      .finally(() => (busy = false));
  };
  update();
  const timer = setInterval(update, intervalMs);
  timer.unref();
  return {
    async finish(outcome) {
      clearInterval(timer);
      await writing;
      try {
        await publishApp(client, status(outcome));
        await pruneApps(client);
      } catch {
        // The DSO is gone or refuses: the program's own outcome is what matters.
      }
    },
  };
}
