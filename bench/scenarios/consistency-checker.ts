/**
 * The anomaly checker of `consistency-cost`, independent of the code under test: it sees only the
 * sessions' logs (values read and written, in session order, with the wall-clock time around each
 * register write). A register write is known to precede another when it ended in an earlier
 * millisecond than the other began (a register's clock follows the wall clock, so the later one
 * wins); writes closer than that are concurrent, and never counted against a session.
 */
import type { Logged } from '../tasks/consistency-ops.ts';

/** Anomalies found, by kind. */
export interface Anomalies {
  /** A read missed the session's own earlier write (a register older than it; a counter without its adds). */
  readYourWrites: number;
  /** A read went back in time: older than what the session read of the key before. */
  monotonic: number;
  /** Two reads of a key in a session differ, with no write of the session to it in between. */
  repeatableRead: number;
  /** A session saw `b = i` of a causal pair, then read `a` older than `i` (the writer wrote `a = i` first). */
  causal: number;
}

interface Written {
  t0: number;
  t1: number;
}

/** The generation `i` a causal pair's value carries (the initial null: 0). */
function generation(value: unknown): number {
  return typeof value === 'string' ? Number(value.split('|')[2]) : 0;
}

/** Counts the anomalies of `sessions` (each a log in session order), given every register write made. */
export function countAnomalies(sessions: ReadonlyArray<readonly Logged[]>): Anomalies {
  const writes = new Map<string, Written>();
  for (const log of sessions) for (const e of log) if (e.kind === 'write' && e.type === 'lww') writes.set(e.value as string, { t0: e.t0!, t1: e.t1! });
  /** Whether register value `x` was certainly overwritten by the write of `y` (the initial null by any). */
  const older = (x: unknown, y: unknown): boolean => {
    if (x === y || y === null) return false;
    if (x === null) return true;
    const wx = writes.get(x as string);
    const wy = writes.get(y as string);
    if (!wx || !wy) throw new Error(`a read returned ${String(x)}, which no session wrote`);
    return wx.t1 < wy.t0;
  };
  const found: Anomalies = { readYourWrites: 0, monotonic: 0, repeatableRead: 0, causal: 0 };
  for (const log of sessions) {
    const registers = new Map<string, { own?: unknown; last?: unknown; pinned?: unknown; read: boolean }>();
    const counters = new Map<string, { last: number; since: number; pinned?: number }>();
    const pairB = new Map<string, number>();
    for (const e of log) {
      if (e.type === 'pn') {
        const c = counters.get(e.key) ?? { last: 0, since: 0 };
        counters.set(e.key, c);
        if (e.kind === 'write') {
          c.since++;
          c.pinned = undefined;
          continue;
        }
        const n = e.value as number;
        if (n < c.last + c.since) {
          if (c.since > 0) found.readYourWrites++;
          else found.monotonic++;
        }
        if (c.pinned !== undefined && n !== c.pinned) found.repeatableRead++;
        c.pinned = n;
        c.last = n;
        c.since = 0;
        continue;
      }
      const r = registers.get(e.key) ?? { read: false };
      registers.set(e.key, r);
      if (e.kind === 'write') {
        r.own = e.value;
        r.pinned = undefined;
        continue;
      }
      const v = e.value;
      if (r.own !== undefined && older(v, r.own)) found.readYourWrites++;
      else if (r.read && older(v, r.last)) found.monotonic++;
      if (r.pinned !== undefined && v !== r.pinned) found.repeatableRead++;
      r.pinned = v;
      r.last = v;
      r.read = true;
      const pair = e.key.match(/-pair-([ab])-(\d+)$/);
      if (pair?.[1] === 'b') pairB.set(pair[2]!, generation(v));
      else if (pair?.[1] === 'a' && generation(v) < (pairB.get(pair[2]!) ?? 0)) found.causal++;
    }
  }
  return found;
}
