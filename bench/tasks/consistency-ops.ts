/**
 * The operations of a `consistency-cost` session, run in its client process or, for part of a
 * session, in a cloud thread spawned with the session ({@link sessionPart}); each is logged with
 * what it read or wrote, for the checker.
 */
import { LwwRegister, PnCounter, task } from '../../src/index.ts';

/** One operation: read or write a register (`lww`, the value is `tag|seq|i`) or a counter (`pn`, add 1). */
export interface Op {
  kind: 'read' | 'write';
  type: 'lww' | 'pn';
  key: string;
  /** For a register write: the number carried in the value (a causal pair's generation; else 0). */
  i?: number;
}

/** What an operation saw: the value read, or the value written (for a counter write, 1 added). */
export interface Logged {
  kind: 'read' | 'write';
  type: 'lww' | 'pn';
  key: string;
  value: string | number | null;
  /** Date.now() before and after a write (the register's clock follows it): orders writes for the checker. */
  t0?: number;
  t1?: number;
}

/** Runs `ops` in order in the session the calling code runs in; `tag|seq` makes each written value unique. */
export async function runOps(ops: readonly Op[], tag: string, firstSeq: number): Promise<Logged[]> {
  const out: Logged[] = [];
  let seq = firstSeq;
  for (const op of ops) {
    if (op.type === 'pn') {
      const counter = new PnCounter(op.key);
      if (op.kind === 'read') out.push({ kind: 'read', type: 'pn', key: op.key, value: await counter.value() });
      else {
        await counter.add(1);
        out.push({ kind: 'write', type: 'pn', key: op.key, value: 1 });
      }
      continue;
    }
    const register = new LwwRegister<string | null>(op.key);
    if (op.kind === 'read') {
      out.push({ kind: 'read', type: 'lww', key: op.key, value: await register.get() });
      continue;
    }
    const value = `${tag}|${seq++}|${op.i ?? 0}`;
    const t0 = Date.now();
    await register.set(value);
    out.push({ kind: 'write', type: 'lww', key: op.key, value, t0, t1: Date.now() });
  }
  return out;
}

/** Part of a session run in a cloud thread (spawned with the session, so it runs inside it). */
export const sessionPart = task('bench.consistency.part', (arg: { ops: Op[]; tag: string; firstSeq: number }) => runOps(arg.ops, arg.tag, arg.firstSeq));
