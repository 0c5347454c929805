import type { AtomicLong, AtomicReference } from '../../src/index.ts';
import type { CounterInput, Operation, RegisterInput } from './linearizability.ts';

/** mulberry32: a seeded generator, so a failing history can be replayed. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The recorded operations of a run, per model. */
export interface History {
  counters: Operation<CounterInput, unknown>[];
  registers: Operation<RegisterInput, unknown>[];
}

/**
 * Runs `op`, recording when it was invoked and when it returned. An operation that fails has an
 * unknown outcome (it may or may not have taken effect), which the checker allows for.
 */
async function timed<I, O>(history: Operation<I, O>[], key: string, client: number, input: I, op: () => Promise<O>): Promise<void> {
  const invoked = performance.now();
  try {
    const output = await op();
    history.push({ key, client, input, output, invoked, returned: performance.now() });
  } catch {
    history.push({ key, client, input, output: undefined, invoked, returned: Infinity });
  }
}

/**
 * Makes one random operation as logical client `id` (seeded by `next`): half of them on the
 * counters (get, addAndGet, set, compareAndSet), half on the registers, recorded in `history`.
 * `started` is told of each operation once it is in flight.
 */
export async function randomOperation(
  id: number,
  next: () => number,
  longs: readonly AtomicLong[],
  refs: readonly AtomicReference<string>[],
  history: History,
  started: (key: string) => void = () => undefined,
): Promise<void> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  let op: Promise<void>;
  let key: string;
  if (next() < 0.5) {
    const c = pick(longs);
    const roll = next();
    key = c.key;
    if (roll < 0.35) op = timed(history.counters, c.key, id, { op: 'get' }, () => c.get());
    else if (roll < 0.75) {
      const delta = 1 + Math.floor(next() * 3);
      op = timed(history.counters, c.key, id, { op: 'addAndGet', delta }, () => c.addAndGet(delta));
    } else if (roll < 0.85) {
      const value = Math.floor(next() * 5);
      op = timed(history.counters, c.key, id, { op: 'set', value }, () => c.set(value).then(() => null));
    } else {
      const expected = Math.floor(next() * 8);
      const nextValue = Math.floor(next() * 8);
      op = timed(history.counters, c.key, id, { op: 'compareAndSet', expected, next: nextValue }, () => c.compareAndSet(expected, nextValue));
    }
  } else {
    const r = pick(refs);
    const roll = next();
    const value = pick(['x', 'y', 'z', null]);
    key = r.key;
    if (roll < 0.4) op = timed(history.registers, r.key, id, { op: 'get' }, () => r.get());
    else if (roll < 0.75) op = timed(history.registers, r.key, id, { op: 'set', value }, () => r.set(value).then(() => null));
    else {
      const expected = pick(['x', 'y', 'z', null]);
      op = timed(history.registers, r.key, id, { op: 'compareAndSet', expected, next: value }, () => r.compareAndSet(expected, value));
    }
  }
  started(key);
  await op;
}
