/**
 * The check of one register's history (an AtomicReference driven by `set` and `get`, starting at
 * null), exact and in O(n log n): every `set` writes a value no other operation writes, so each
 * read names the write it saw, and linearizability reduces to Gibbons and Korach's zones (Testing
 * shared memories, SIAM J. Comput. 26(4), 1997; in the form of Golab, Li and Shah, PODC 2011).
 *
 * A write and the reads of its value form a cluster. With f the earliest return and s the latest
 * invocation in the cluster, the zone is forward (f, s) when f < s, else backward [s, f]. A history
 * in which no read returned before its write was invoked is linearizable if and only if no two
 * forward zones overlap and no backward zone lies inside a forward one. The initial null is a
 * write at minus infinity; a write in doubt that some read saw returns at plus infinity (it took
 * effect at some point), and one no read saw is left out (it may never have).
 */
import type { OpRecord } from './history.ts';
import type { Violation } from './violation.ts';
import { countBelow } from './count-below.ts';

interface Cluster {
  value: string;
  write: OpRecord | undefined;
  /** Earliest return and latest invocation over the write and its reads. */
  f: number;
  s: number;
}

/** Checks the `set`/`get` operations of one register; answers what it breaks. */
export function checkRegister(object: string, ops: readonly OpRecord[]): Violation[] {
  const violations: Violation[] = [];
  const clusters = new Map<string, Cluster>();
  const failed = new Set<string>();
  const initial = JSON.stringify(null);
  clusters.set(initial, { value: initial, write: undefined, f: Number.NEGATIVE_INFINITY, s: Number.NEGATIVE_INFINITY });
  for (const op of ops) {
    if (op.f !== 'set') continue;
    const value = JSON.stringify(op.arg);
    if (op.outcome === 'failed') {
      failed.add(value);
      continue;
    }
    if (clusters.has(value)) throw new Error(`register ${object}: the value ${value} is written twice; the check needs unique writes`);
    const returned = op.outcome === 'ok' ? op.returned! : Number.POSITIVE_INFINITY;
    clusters.set(value, { value, write: op, f: returned, s: op.invoked });
  }
  const seen = new Set<string>([initial]);
  for (const op of ops) {
    if (op.f !== 'get' || op.outcome !== 'ok') continue;
    const value = JSON.stringify(op.value ?? null);
    const cluster = clusters.get(value);
    if (!cluster) {
      const why = failed.has(value) ? 'whose write failed' : 'that was never written';
      violations.push({ kind: 'not-linearizable', object, message: `a read answered ${value}, a value ${why}`, ops: [op] });
      continue;
    }
    if (cluster.write && op.returned! < cluster.write.invoked) {
      violations.push({ kind: 'not-linearizable', object, message: `a read answered ${value} before its write was invoked`, ops: [cluster.write, op] });
    }
    cluster.f = Math.min(cluster.f, op.returned!);
    cluster.s = Math.max(cluster.s, op.invoked);
    seen.add(value);
  }

  const forward: Cluster[] = [];
  const backward: Cluster[] = [];
  for (const c of clusters.values()) {
    if (c.write && c.write.outcome === 'unknown' && !seen.has(c.value)) continue;
    (c.f < c.s ? forward : backward).push(c);
  }
  forward.sort((a, b) => a.f - b.f);
  // Overlapping forward zones: the later one starts before an earlier one ends.
  let widest: Cluster | undefined;
  for (const c of forward) {
    if (widest && c.f < widest.s) {
      violations.push({
        kind: 'stale-read',
        object,
        message: `the values ${widest.value} and ${c.value} were each read after the other was written and read`,
        ops: evidence(ops, widest, c),
      });
    }
    if (!widest || c.s > widest.s) widest = c;
  }
  // A backward zone inside a forward one: a whole write between a value's first return and a later read of it.
  const starts = forward.map((c) => c.f);
  const widestSoFar: Cluster[] = [];
  for (const c of forward) widestSoFar.push(widestSoFar.length > 0 && widestSoFar.at(-1)!.s >= c.s ? widestSoFar.at(-1)! : c);
  for (const b of backward) {
    const i = countBelow(starts, b.s) - 1;
    const around = i >= 0 ? widestSoFar[i]! : undefined;
    if (around && b.f < around.s) {
      violations.push({
        kind: 'stale-read',
        object,
        message: `${b.value} was written entirely between ${around.value} being written and read again`,
        ops: evidence(ops, around, b),
      });
    }
  }
  return violations;
}

/** The operations of two clusters (their writes and reads), for a report. */
function evidence(ops: readonly OpRecord[], a: Cluster, b: Cluster): OpRecord[] {
  const values = new Set([a.value, b.value]);
  return ops.filter((op) => op.outcome === 'ok' && values.has(JSON.stringify(op.f === 'set' ? op.arg : (op.value ?? null)))).slice(0, 8);
}
