import { SkeinError } from '../errors/skein-error.ts';
import { NO_OBJECT, Op } from '../protocol/messages.ts';
import type { CallTarget, Client } from './client.ts';
import type { CacheStats } from './lattice-cache.ts';

/**
 * The key of the registry of `skein run` programs in a DSO: a `SharedMap` from an app's id to its
 * {@link AppStatus}, which each program connected to the DSO updates while it runs (at most once
 * a second) and marks finished at its end; `skein dashboard` reads it. Keys starting with
 * `skein:` are reserved for Skein's own objects: programs should not use them.
 *
 * One map rather than a key per app: the dashboard reads it with one call each poll, where
 * listing keys by prefix would scan every key the members hold.
 */
export const APPS_KEY = 'skein:apps';

/** Finished apps kept in the registry; the oldest beyond this are removed by the next to finish. */
export const APPS_KEPT = 50;

/** An app not updated for this long (ms) is taken as gone (it died without a word) and removed. */
export const APP_FORGOTTEN_MS = 24 * 60 * 60 * 1000;

/** What a program tells the DSO about itself: who it is, and its cloud threads. */
export interface AppStatus {
  /** `<host>:<pid>:<started>`: unique per run. */
  id: string;
  /** The entry file it runs, as given to `skein run`. */
  program: string;
  host: string;
  pid: number;
  /** When it started, its last update and its end (ms since the epoch, its own clock). */
  started: number;
  updated: number;
  finished: number | null;
  /** `running` until it ends; then `ok`, or `failed` (its main threw). */
  outcome: 'running' | 'ok' | 'failed';
  /** Its cloud threads: running now, finished with a result, failed. */
  threads: { running: number; done: number; failed: number };
  /**
   * The lattice cache of the client it reports through (its main process's default client), as
   * of the update; absent from reports of versions before lattice objects.
   */
  cache?: CacheStats;
  /** Its backend's workers (the process backend's processes), when the backend keeps its own. */
  workers?: WorkerStats;
}

/** A backend's workers at a moment (`skein inspect` shows them per app). */
export interface WorkerStats {
  /** The backend's name. */
  backend: string;
  /** Workers alive now, of which running a thread and idle (warm). */
  workers: number;
  busy: number;
  idle: number;
  /** Threads waiting for a worker. */
  queued: number;
  /** The bounds: at most `max`; idle ones are retired down to `min`. */
  min: number;
  max: number;
  /** Workers started and retired (idle past `idleMs`) since the backend started. */
  started: number;
  retired: number;
}

/** The registry as a call target (created empty by the first write). */
function registry(): CallTarget {
  return { type: 'SharedMap', key: APPS_KEY, init: [], forceNew: false, initSent: false };
}

/** Writes `status` into the registry of `client`'s DSO (creating the registry if needed). */
export async function publishApp(client: Client, status: AppStatus): Promise<void> {
  await client.call(registry(), 'set', [status.id, status]);
}

/**
 * Every app in the registry of `client`'s DSO, newest first; none when there is no registry yet.
 * Reading never creates it.
 */
export async function listApps(client: Client): Promise<AppStatus[]> {
  let entries: Array<[string, AppStatus]>;
  try {
    entries = (await client.send([Op.Call, 0, 'SharedMap', APPS_KEY, 'entries', []], undefined, APPS_KEY)) as Array<[string, AppStatus]>;
  } catch (err) {
    if (err instanceof SkeinError && err.code === NO_OBJECT) return [];
    throw err;
  }
  return entries.map(([, status]) => status).sort((a, b) => b.started - a.started || (a.id < b.id ? -1 : 1));
}

/**
 * Removes from the registry the apps not updated for {@link APP_FORGOTTEN_MS} and the finished
 * ones beyond the newest {@link APPS_KEPT}, as of `now`; answers how many it removed.
 */
export async function pruneApps(client: Client, now = Date.now()): Promise<number> {
  const apps = await listApps(client);
  const finished = apps.filter((a) => a.finished !== null).sort((a, b) => b.finished! - a.finished!);
  const old = new Set([...finished.slice(APPS_KEPT), ...apps.filter((a) => now - a.updated > APP_FORGOTTEN_MS)]);
  for (const app of old) await client.call(registry(), 'delete', [app.id]);
  return old.size;
}
