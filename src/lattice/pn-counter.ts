import { badArgs, int } from '../objects/validate.ts';
import type { Lattice, WriteStamp } from './lattice.ts';
import { checkArray, checkAscending, checkCount, checkInit, checkTuple, checkWriter } from './check.ts';
import { mergeSorted, search } from './sorted.ts';

/**
 * One writer's totals: everything it ever added (`up`) and ever subtracted (`down`), as
 * non-negative safe integers. Integers only: float sums would depend on the order of addition.
 */
export type PnCounterEntry = readonly [writer: string, up: number, down: number];

/**
 * A `PnCounter`'s state: one entry per writer, sorted by writer id. The reserved writer `''`
 * holds the initial value and, at the node, the totals of retired writers (see `compact`).
 */
export type PnCounterState = readonly PnCounterEntry[];

/** An `add` as it travels: a state holding only the writer's entry with its new total. */
export type PnCounterDelta = PnCounterState;

const writerOf = (e: PnCounterEntry): string => e[0];

/**
 * `PnCounter`: per-writer increments and decrements; the join takes each writer's larger totals
 * (a writer's totals only grow). Init `[]` or `[initial = 0]` (a safe integer).
 *
 * `compact` folds retired writers' entries into the reserved entry `''`. That is a node-only
 * step: the join laws hold for uncompacted states, and a folded state joined with one that still
 * holds a retired writer's entry would count it twice. It is safe at the node because caches
 * replace their copy by the node's state and never join two node states, and a retired writer
 * sends nothing more.
 */
export const PnCounterLattice: Lattice<PnCounterState, PnCounterDelta> = {
  name: 'PnCounter',
  initial(init) {
    checkInit(init, 1, 'PnCounter');
    const n = init.length > 0 ? int(init[0], 'a PnCounter initial value') : 0;
    return n === 0 ? [] : [['', Math.max(n, 0), Math.max(-n, 0)]];
  },
  join: joinCounters,
  combine: joinCounters,
  perWriter: true,
  absorb: (s, delta) => joinCounters(s, delta),
  apply: (s, delta) => joinCounters(s, delta),
  compact(s, retired) {
    if (!s.some((e) => e[0] !== '' && retired.includes(e[0]))) return s;
    let up = 0;
    let down = 0;
    const kept: PnCounterEntry[] = [];
    for (const e of s) {
      if (e[0] === '' || retired.includes(e[0])) {
        up += e[1];
        down += e[2];
      } else kept.push(e);
    }
    return [['', up, down], ...kept];
  },
  checkState: (x) => checkCounter(x, 'a PnCounter state', true),
  checkDelta: (x) => checkCounter(x, 'a PnCounter delta', false),
  bytes: (s) => 32 + s.reduce((sum, e) => sum + 48 + 2 * e[0].length, 0),
  describe: (s) => ({ value: value(s), writers: s.filter((e) => e[0] !== '').length }),
};

function joinCounters(a: PnCounterState, b: PnCounterState): PnCounterState {
  return mergeSorted(a, b, writerOf, (x, y) => {
    if (x === undefined || y === undefined) return x ?? y;
    if (x[1] >= y[1] && x[2] >= y[2]) return x;
    if (y[1] >= x[1] && y[2] >= x[2]) return y;
    return [x[0], Math.max(x[1], y[1]), Math.max(x[2], y[2])];
  });
}

function checkCounter(x: unknown, name: string, reserved: boolean): PnCounterState {
  const entries = checkArray(x, name).map((e, i): PnCounterEntry => {
    const t = checkTuple(e, 3, `${name}'s entry ${i}`);
    return [
      checkWriter(t[0], `${name}'s entry ${i} writer`, reserved),
      checkCount(t[1], `${name}'s entry ${i} increments`),
      checkCount(t[2], `${name}'s entry ${i} decrements`),
    ];
  });
  checkAscending(entries.map(writerOf), `${name}'s writers`);
  if (!safeTotals(...totals(entries))) throw badArgs(`${name}'s totals go beyond the safe integer range`);
  return entries;
}

/** The sums of every writer's increments and of every writer's decrements. */
function totals(s: PnCounterState): [up: number, down: number] {
  let up = 0;
  let down = 0;
  for (const e of s) {
    up += e[1];
    down += e[2];
  }
  return [up, down];
}

function safeTotals(up: number, down: number): boolean {
  return Number.isSafeInteger(up) && Number.isSafeInteger(down);
}

/**
 * Adds `n` (a safe integer, negative to subtract) as `stamp`'s writer: the delta holds the
 * writer's entry with the side `n` moves raised to its new total (the other side 0, which the join
 * ignores). `EBAD_ARGS` for a non-integer, or when the totals the writer sees would leave the safe
 * integer range.
 */
export function add(s: PnCounterState, n: number, stamp: WriteStamp): PnCounterDelta {
  int(n, 'a PnCounter addend');
  const [up, down] = totals(s);
  if (!safeTotals(up + Math.max(n, 0), down + Math.max(-n, 0))) {
    throw badArgs(`adding ${n} takes the PnCounter beyond the safe integer range`);
  }
  const at = search(s, stamp.writer, writerOf);
  const mine = at >= 0 ? (s[at] as PnCounterEntry) : undefined;
  return [[stamp.writer, n > 0 ? (mine?.[1] ?? 0) + n : 0, n < 0 ? (mine?.[2] ?? 0) - n : 0]];
}

/**
 * The counter's value: increments minus decrements over all writers. Throws a `RangeError` when
 * concurrent writers together carried a total beyond the safe integer range (each write is
 * checked against what its writer saw, not against what others wrote meanwhile).
 */
export function value(s: PnCounterState): number {
  const [up, down] = totals(s);
  if (!safeTotals(up, down)) throw new RangeError('the PnCounter total is beyond the safe integer range');
  return up - down;
}
