import { listApps, type AppStatus } from '../client/apps.ts';
import type { Client } from '../client/client.ts';
import type { NodeInfo } from '../protocol/messages.ts';

/** One member as the dashboard shows it. */
export interface MemberState {
  url: string;
  epoch: number;
  stable: boolean;
  lostRegions: number;
  objects: number;
  owned: number;
  sessions: number;
  parkedCalls: number;
  /** Of its parked calls, those that are clients' caches subscribed to its lattice objects. */
  cacheSubscriptions: number;
  keptReplies: number;
  /** Calls it answered since it started. */
  calls: number;
  uptimeMs: number;
}

/**
 * A program connected to the DSO, as its registry entry says (with its client's cache stats when
 * its version reports them), and whether it has gone quiet.
 */
export interface AppState extends AppStatus {
  /** Still `running` but not updated for {@link STALE_MS}: it probably died. */
  stale: boolean;
}

/** Everything the dashboard page shows, as `/api/state` answers it. */
export interface DashboardState {
  /** The DSO watched (its URL as given). */
  dso: string;
  /** When the DSO last answered (ms since the epoch); null before it first did. */
  updated: number | null;
  /** Why the last poll failed, if it did (the rest is then the last good answer). */
  error: string | null;
  /** The cluster's view as its members report it: the newest epoch, stable only if all are. */
  view: { epoch: number; stable: boolean; lostRegions: number; rf: number } | null;
  members: MemberState[];
  /** Objects per type over the members (each copy counts when rf > 1), most first; `lattice` marks lattice types. */
  objectsByType: Array<{ type: string; count: number; lattice: boolean }>;
  /** The hottest keys over the members, highest first, with the member that serves each. */
  hotKeys: Array<{ key: string; calls: number; member: string }>;
  totals: { objects: number; sessions: number; parkedCalls: number; cacheSubscriptions: number; keptReplies: number; callsPerSecond: number | null };
  /** Calls per second over all members, one point per poll, oldest first. */
  rate: Array<{ t: number; callsPerSecond: number }>;
  /** Programs (`skein run`) reporting to the DSO, newest first. */
  apps: AppState[];
}

/** Points of the calls-per-second history kept (at one poll a second, ten minutes). */
export const RATE_POINTS = 600;

/** A running app silent for this long (ms) is shown as stale. */
export const STALE_MS = 10_000;

/** Hot keys shown. */
const HOT_KEYS = 10;

/**
 * Polls a DSO every `intervalMs` (what each member tells about itself, and the registry of apps),
 * keeps the latest answer and the history of calls per second, and answers them as a
 * {@link DashboardState}. One poll at a time: a slow DSO makes polls rarer, never piled up.
 */
export class DsoWatch {
  private state: DashboardState;
  private readonly last = new Map<string, { calls: number; uptimeMs: number }>();
  private lastAt = 0;
  private polling = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly client: Client,
    dso: string,
    intervalMs = 1000,
  ) {
    this.state = {
      dso,
      updated: null,
      error: null,
      view: null,
      members: [],
      objectsByType: [],
      hotKeys: [],
      totals: { objects: 0, sessions: 0, parkedCalls: 0, cacheSubscriptions: 0, keptReplies: 0, callsPerSecond: null },
      rate: [],
      apps: [],
    };
    this.timer = setInterval(() => void this.poll(), intervalMs);
    void this.poll();
  }

  /** The latest state. */
  get current(): DashboardState {
    return this.state;
  }

  /** Stops polling. */
  close(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const [infos, apps] = await Promise.all([this.client.infoAll(), listApps(this.client)]);
      this.update(infos, apps, Date.now());
    } catch (err) {
      this.state = { ...this.state, error: (err as Error).message };
    } finally {
      this.polling = false;
    }
  }

  private update(infos: NodeInfo[], apps: AppStatus[], now: number): void {
    let delta = 0;
    for (const info of infos) {
      const before = this.last.get(info.url);
      // A member that restarted counts from zero again.
      const restarted = !before || info.calls < before.calls || info.uptimeMs < before.uptimeMs;
      if (before) delta += restarted ? info.calls : info.calls - before.calls;
      this.last.set(info.url, { calls: info.calls, uptimeMs: info.uptimeMs });
    }
    const rate = [...this.state.rate];
    let callsPerSecond: number | null = null;
    if (this.lastAt > 0) {
      callsPerSecond = delta / ((now - this.lastAt) / 1000);
      rate.push({ t: now, callsPerSecond });
      if (rate.length > RATE_POINTS) rate.splice(0, rate.length - RATE_POINTS);
    }
    this.lastAt = now;
    const byType = new Map<string, number>();
    const lattice = new Set<string>();
    for (const info of infos) {
      for (const [type, n] of Object.entries(info.byType)) byType.set(type, (byType.get(type) ?? 0) + n);
      for (const type of info.latticeTypes) lattice.add(type);
    }
    const hot = infos.flatMap((info) => info.hotKeys.map((h) => ({ key: h.key, calls: h.calls, member: info.url })));
    const sum = (f: (i: NodeInfo) => number): number => infos.reduce((n, i) => n + f(i), 0);
    this.state = {
      dso: this.state.dso,
      updated: now,
      error: null,
      view:
        infos.length === 0
          ? null
          : {
              epoch: Math.max(...infos.map((i) => i.epoch)),
              stable: infos.every((i) => i.stable),
              lostRegions: Math.max(...infos.map((i) => i.lostRegions)),
              rf: infos[0]!.rf,
            },
      members: infos.map((i) => ({
        url: i.url,
        epoch: i.epoch,
        stable: i.stable,
        lostRegions: i.lostRegions,
        objects: i.objects,
        owned: i.owned,
        sessions: i.sessions,
        parkedCalls: i.parkedCalls,
        cacheSubscriptions: i.cacheSubscriptions,
        keptReplies: i.keptReplies,
        calls: i.calls,
        uptimeMs: i.uptimeMs,
      })),
      objectsByType: [...byType].map(([type, count]) => ({ type, count, lattice: lattice.has(type) })).sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : 1)),
      hotKeys: hot.sort((a, b) => b.calls - a.calls || (a.key < b.key ? -1 : 1)).slice(0, HOT_KEYS),
      totals: {
        objects: sum((i) => i.objects),
        sessions: sum((i) => i.sessions),
        parkedCalls: sum((i) => i.parkedCalls),
        cacheSubscriptions: sum((i) => i.cacheSubscriptions),
        keptReplies: sum((i) => i.keptReplies),
        callsPerSecond,
      },
      rate,
      apps: apps.map((a) => ({ ...a, stale: a.outcome === 'running' && now - a.updated > STALE_MS })),
    };
  }
}
