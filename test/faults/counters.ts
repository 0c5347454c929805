/**
 * The check of one counter's history: an AtomicLong driven by `incrementAndGet` and `get`, or one
 * SharedMap field driven by `merge(field, 1, 'sum')` (which answers the new sum) and `get`.
 *
 * Full linearizability search is too slow for histories of tens of thousands of calls, so this
 * checks the properties a counter that only goes up by 1 must have, each in O(n log n):
 * - every acknowledged increment answers a distinct value (a repeat is an increment applied twice,
 *   or one answered from a re-created object);
 * - real time: an increment invoked after a call returned `v` answers more than `v`, and a read
 *   invoked then answers at least `v` (less is a stale read);
 * - no call answers more than the number of increments invoked before it returned;
 * - the final value (a read after the load ended) lies between the acknowledged increments and the
 *   acknowledged plus those in doubt: below is a lost acknowledged increment, above a doubled one.
 */
import type { OpRecord } from './history.ts';
import type { Violation } from './violation.ts';
import { countBelow } from './count-below.ts';

/** Checks the operations of one counter (one object, or one map field); answers what it breaks. */
export function checkCounter(object: string, ops: readonly OpRecord[]): Violation[] {
  const violations: Violation[] = [];
  const incs = ops.filter((op) => op.f === 'incrementAndGet' || op.f === 'merge');
  const okIncs = incs.filter((op) => op.outcome === 'ok');
  const okReads = ops.filter((op) => op.f === 'get' && op.outcome === 'ok');

  const byValue = new Map<number, OpRecord>();
  for (const op of okIncs) {
    const v = op.value as number;
    if (!Number.isInteger(v) || v < 1) {
      violations.push({ kind: 'not-linearizable', object, message: `an increment answered ${JSON.stringify(op.value)}, not a count`, ops: [op] });
      continue;
    }
    const seen = byValue.get(v);
    if (seen) violations.push({ kind: 'doubled', object, message: `two acknowledged increments both answered ${v}`, ops: [seen, op] });
    else byValue.set(v, op);
  }

  // Real-time lower bounds: sweep calls by invocation over acknowledged calls by return.
  const answered = [...okIncs, ...okReads].filter((op) => typeof op.value === 'number');
  const byReturn = [...answered].sort((a, b) => a.returned! - b.returned!);
  const byInvoke = [...answered].sort((a, b) => a.invoked - b.invoked);
  let next = 0;
  let highest: OpRecord | undefined;
  for (const op of byInvoke) {
    while (next < byReturn.length && byReturn[next]!.returned! < op.invoked) {
      const done = byReturn[next++]!;
      if (!highest || (done.value as number) > (highest.value as number)) highest = done;
    }
    if (!highest) continue;
    const floor = highest.value as number;
    const v = op.value as number;
    if (op.f === 'get' && v < floor) {
      violations.push({ kind: 'stale-read', object, message: `a read answered ${v} after a call had returned ${floor}`, ops: [highest, op] });
    } else if (op.f !== 'get' && v <= floor) {
      violations.push({ kind: 'not-linearizable', object, message: `an increment answered ${v} after a call had returned ${floor}`, ops: [highest, op] });
    }
  }

  // Upper bound: at most as many as the increments (acknowledged or in doubt) invoked before it returned.
  const started = incs.filter((op) => op.outcome !== 'failed').map((op) => op.invoked).sort((a, b) => a - b);
  for (const op of answered) {
    const possible = countBelow(started, op.returned!);
    if ((op.value as number) > possible) {
      violations.push({ kind: 'doubled', object, message: `a call answered ${op.value as number} when only ${possible} increments had been invoked`, ops: [op] });
    }
  }

  const final = finalRead(ops);
  if (final) {
    const acked = okIncs.length;
    const inDoubt = incs.filter((op) => op.outcome === 'unknown').length;
    const v = final.value as number;
    if (v < acked) violations.push({ kind: 'lost-ack', object, message: `the final value is ${v}, but ${acked} increments were acknowledged`, ops: [final] });
    if (v > acked + inDoubt) {
      violations.push({ kind: 'doubled', object, message: `the final value is ${v}, but only ${acked} increments were acknowledged and ${inDoubt} in doubt`, ops: [final] });
    }
  }
  return violations;
}

/**
 * The read that gives an object's final value: the last acknowledged `final` read invoked after
 * every other call on it was invoked and every acknowledged one returned; undefined if none.
 */
export function finalRead(ops: readonly OpRecord[]): OpRecord | undefined {
  let after = Number.NEGATIVE_INFINITY;
  for (const op of ops) if (!op.final) after = Math.max(after, op.invoked, op.returned ?? op.invoked);
  const finals = ops.filter((op) => op.final && op.f === 'get' && op.outcome === 'ok' && op.invoked > after);
  return finals.sort((a, b) => a.invoked - b.invoked).at(-1);
}
