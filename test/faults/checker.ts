/**
 * The fault suite's history checker. It reads only the recorded histories (never the code under
 * test) and reports every broken promise of DESIGN.md section 4:
 * - counters (AtomicLong, SharedMap fields): no lost or doubled acknowledged increment, no stale
 *   read, final value between acknowledged and acknowledged plus in doubt ({@link checkCounter});
 * - registers (AtomicReference): linearizable, exactly ({@link checkRegister});
 * - every member holding a copy of an object holds the same state once the run settled;
 * - a destroyed object nobody touched again is neither listed nor held by any member;
 * - an object whose every copy was gone answers no call (until its loss is accepted), and fails
 *   with `EOBJECT_LOST`.
 */
import { checkCounter } from './counters.ts';
import type { CopiesRecord, HistoryRecord, OpRecord } from './history.ts';
import { checkRegister } from './registers.ts';
import type { Violation } from './violation.ts';

/** What a history shows: counts of outcomes, the longest unavailability, and the violations. */
export interface CheckReport {
  /** Operations acknowledged, failed with an error reply, and in doubt. */
  acknowledged: number;
  failed: number;
  inDoubt: number;
  /**
   * The longest time (ms) an object went without an acknowledged call between two that were,
   * over the objects not lost; measured, not judged.
   */
  longestUnavailableMs: number;
  violations: Violation[];
}

/** Checks a whole run's records (every client's and the run's own). */
export function checkHistory(records: readonly HistoryRecord[]): CheckReport {
  const ops = records.filter((r): r is OpRecord => r.type === 'op');
  const violations: Violation[] = [];
  const lostAt = new Map<string, number>();
  const forgottenAt = new Map<string, number[]>();
  for (const r of records) {
    if (r.type === 'lost') lostAt.set(r.key, Math.min(r.at, lostAt.get(r.key) ?? Number.POSITIVE_INFINITY));
    if (r.type === 'forgotten') forgottenAt.set(r.key, [...(forgottenAt.get(r.key) ?? []), r.at].sort((a, b) => a - b));
  }

  // One history per object incarnation: accepting a loss starts the object anew.
  const objects = new Map<string, OpRecord[]>();
  for (const op of ops) {
    if (op.f === 'destroy') continue;
    const incarnation = (forgottenAt.get(op.key) ?? []).filter((at) => at < op.invoked).length;
    const id = `${op.key}${op.field !== undefined ? `#${op.field}` : ''}${incarnation > 0 ? `@${incarnation}` : ''}`;
    let list = objects.get(id);
    if (!list) objects.set(id, (list = []));
    // A map field never merged reads as null: a count of 0.
    list.push(op.object === 'SharedMap' && op.f === 'get' && op.outcome === 'ok' && op.value === null ? { ...op, value: 0 } : op);
  }
  for (const [id, list] of objects) {
    const kind = list[0]!.object;
    violations.push(...(kind === 'AtomicReference' ? checkRegister(id, list) : checkCounter(id, list)));
  }

  violations.push(...checkLost(ops, lostAt, forgottenAt));
  violations.push(...checkDestroyed(ops, records));
  for (const r of records) if (r.type === 'copies') violations.push(...checkCopies(r));

  return {
    acknowledged: ops.filter((op) => op.outcome === 'ok').length,
    failed: ops.filter((op) => op.outcome === 'failed').length,
    inDoubt: ops.filter((op) => op.outcome === 'unknown').length,
    longestUnavailableMs: longestGap(objects, lostAt),
    violations,
  };
}

/** Calls on a lost object, invoked after its last copy was gone and before its loss was accepted. */
function checkLost(ops: readonly OpRecord[], lostAt: Map<string, number>, forgottenAt: Map<string, number[]>): Violation[] {
  const violations: Violation[] = [];
  for (const [key, at] of lostAt) {
    const until = (forgottenAt.get(key) ?? []).find((t) => t > at) ?? Number.POSITIVE_INFINITY;
    const after = ops.filter((op) => op.key === key && op.invoked > at && op.invoked < until);
    const answered = after.filter((op) => op.outcome === 'ok');
    if (answered.length > 0) {
      violations.push({
        kind: 'lost-answered',
        object: key,
        message: `${answered.length} calls were answered after every copy was gone (first: ${answered[0]!.f} answered ${JSON.stringify(answered[0]!.value)})`,
        ops: answered.slice(0, 3),
      });
    }
    const wrong = after.filter((op) => op.outcome === 'failed' && op.code !== 'EOBJECT_LOST');
    if (wrong.length > 0) {
      violations.push({
        kind: 'lost-wrong-error',
        object: key,
        message: `${wrong.length} calls failed with ${[...new Set(wrong.map((op) => op.code))].join(', ')} instead of EOBJECT_LOST`,
        ops: wrong.slice(0, 3),
      });
    }
  }
  return violations;
}

/** Objects destroyed and never touched again must stay gone from every listing and member. */
function checkDestroyed(ops: readonly OpRecord[], records: readonly HistoryRecord[]): Violation[] {
  const violations: Violation[] = [];
  const destroys = ops.filter((op) => op.f === 'destroy' && op.outcome === 'ok');
  for (const destroy of destroys) {
    const key = destroy.key;
    if (ops.some((op) => op.key === key && op !== destroy && op.invoked > destroy.invoked)) continue;
    for (const r of records) {
      if (r.type === 'keys' && r.at > destroy.returned! && r.keys.includes(key)) {
        violations.push({ kind: 'destroyed-reappeared', object: key, message: `the destroyed object is listed again by keys()`, ops: [destroy] });
      }
      if (r.type === 'copies' && r.key === key && r.at > destroy.returned!) {
        const holders = r.copies.filter((c) => c.state !== null).map((c) => c.member);
        if (holders.length > 0) {
          violations.push({ kind: 'destroyed-reappeared', object: key, message: `the destroyed object is held again by ${holders.join(', ')}`, ops: [destroy] });
        }
      }
    }
  }
  return violations;
}

/**
 * Every member holding a copy holds the same state, compared as JSON text: the order of a map's
 * entries counts, since a SharedMap's keys and entries come in insertion order.
 */
function checkCopies(r: CopiesRecord): Violation[] {
  const held = r.copies.filter((c) => c.state !== null);
  const first = JSON.stringify(held[0]?.state);
  const differing = held.filter((c) => JSON.stringify(c.state) !== first);
  if (differing.length === 0) return [];
  const states = held.map((c) => `${c.member}: ${JSON.stringify(c.state)}`).join('; ');
  return [{ kind: 'copies-differ', object: r.key, message: `the members hold different states: ${states}` }];
}

/** The longest gap between consecutive acknowledged calls on one object (lost objects left out). */
function longestGap(objects: Map<string, OpRecord[]>, lostAt: Map<string, number>): number {
  let longest = 0;
  for (const list of objects.values()) {
    if (lostAt.has(list[0]!.key)) continue;
    const returns = list
      .filter((op) => op.outcome === 'ok' && !op.final)
      .map((op) => op.returned!)
      .sort((a, b) => a - b);
    for (let i = 1; i < returns.length; i++) longest = Math.max(longest, returns[i]! - returns[i - 1]!);
  }
  return longest;
}

