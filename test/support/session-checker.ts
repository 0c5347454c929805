/**
 * An anomaly checker for session histories over grow-only sets, independent of the code under
 * test: it sees only what each session added and read. Every added item is unique, so a read tells
 * exactly which adds it saw.
 */

/** One operation of a session, in the session's order. */
export type SessionOp = { op: 'add'; key: string; item: string } | { op: 'read'; key: string; items: readonly string[] };

/** A session's operations, in order (across the functions it ran in). */
export interface SessionHistory {
  session: string;
  ops: readonly SessionOp[];
}

/** Anomalies per guarantee. */
export interface Anomalies {
  /** A read of a key that misses an item the session added to it before. */
  readYourWrites: number;
  /** A read of a key that misses an item an earlier read of that key in the session returned. */
  monotonicReads: number;
  /** A read of a key that differs from the session's first read of it plus its own adds since. */
  repeatableRead: number;
  /**
   * A read of a key that misses an item the session depends on: an item added before (in its own
   * session, or transitively through what that session had read) an item this session has seen.
   */
  causal: number;
}

/** Counts the anomalies of `histories`. */
export function checkSessions(histories: readonly SessionHistory[]): Anomalies {
  const found: Anomalies = { readYourWrites: 0, monotonicReads: 0, repeatableRead: 0, causal: 0 };
  // Each item's dependencies: what its session had added or seen before adding it, transitively.
  const keyOf = new Map<string, string>();
  const depsOf = new Map<string, Set<string>>();
  for (const h of histories) for (const o of h.ops) if (o.op === 'add') keyOf.set(o.item, o.key);
  const direct = new Map<string, Set<string>>();
  for (const h of histories) {
    const before = new Set<string>();
    for (const o of h.ops) {
      if (o.op === 'add') {
        direct.set(o.item, new Set(before));
        before.add(o.item);
      } else {
        for (const item of o.items) before.add(item);
      }
    }
  }
  const closure = (item: string, path = new Set<string>()): Set<string> => {
    const known = depsOf.get(item);
    if (known) return known;
    const all = new Set<string>();
    path.add(item);
    for (const d of direct.get(item) ?? []) {
      all.add(d);
      if (!path.has(d)) for (const dd of closure(d, path)) all.add(dd);
    }
    path.delete(item);
    depsOf.set(item, all);
    return all;
  };

  for (const h of histories) {
    const added = new Map<string, Set<string>>();
    const lastRead = new Map<string, Set<string>>();
    const firstRead = new Map<string, Set<string>>();
    const addedSinceFirst = new Map<string, Set<string>>();
    const mustSee = new Map<string, Set<string>>();
    for (const o of h.ops) {
      if (o.op === 'add') {
        setOf(added, o.key).add(o.item);
        if (firstRead.has(o.key)) setOf(addedSinceFirst, o.key).add(o.item);
        continue;
      }
      const got = new Set(o.items);
      if ([...(added.get(o.key) ?? [])].some((i) => !got.has(i))) found.readYourWrites++;
      if ([...(lastRead.get(o.key) ?? [])].some((i) => !got.has(i))) found.monotonicReads++;
      const first = firstRead.get(o.key);
      if (!first) firstRead.set(o.key, got);
      else {
        const expected = new Set([...first, ...(addedSinceFirst.get(o.key) ?? [])]);
        if (expected.size !== got.size || [...got].some((i) => !expected.has(i))) found.repeatableRead++;
      }
      if ([...(mustSee.get(o.key) ?? [])].some((i) => !got.has(i))) found.causal++;
      lastRead.set(o.key, got);
      // What this read shows, and everything that depends on, must be seen from now on.
      for (const item of got) {
        for (const d of closure(item)) setOf(mustSee, keyOf.get(d)!).add(d);
      }
    }
  }
  return found;
}

function setOf(m: Map<string, Set<string>>, key: string): Set<string> {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set()));
  return s;
}
