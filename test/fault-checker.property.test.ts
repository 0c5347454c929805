import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkHistory } from './faults/checker.ts';
import type { OpRecord } from './faults/history.ts';
import { checkLinearizable, registerModel, type Operation, type RegisterInput } from './support/linearizability.ts';

/**
 * Small register histories (unique writes, some in doubt, reads answering any written value or
 * null), with times from a narrow range so that intervals often touch and overlap.
 */
const history = fc
  .array(
    fc.record({
      write: fc.boolean(),
      start: fc.integer({ min: 0, max: 12 }),
      length: fc.integer({ min: 0, max: 6 }),
      inDoubt: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
      reads: fc.integer({ min: -1, max: 5 }),
    }),
    { minLength: 1, maxLength: 9 },
  )
  .map((specs) => {
    const writes = specs.filter((s) => s.write).length;
    return specs.map((s, i): OpRecord => {
      const timing = { invoked: s.start, returned: s.inDoubt && s.write ? null : s.start + s.length };
      const common = { type: 'op' as const, client: `c${i}`, object: 'AtomicReference' as const, key: 'r', ...timing };
      if (s.write) return { ...common, f: 'set', arg: `v${i}`, outcome: timing.returned === null ? 'unknown' : 'ok', value: null };
      // A read answers null or the value of one of the writes (by their index among all ops).
      const target = s.reads < 0 || writes === 0 ? null : specs.map((t, j) => (t.write ? `v${j}` : undefined)).filter((v) => v !== undefined)[s.reads % writes]!;
      return { ...common, f: 'get', outcome: 'ok', value: target };
    });
  });

function wgl(ops: readonly OpRecord[]): boolean {
  const converted: Operation<RegisterInput, unknown>[] = ops.map((op) => ({
    key: op.key,
    client: 0,
    input: op.f === 'set' ? { op: 'set', value: op.arg as string } : { op: 'get' },
    output: op.outcome === 'ok' ? (op.f === 'set' ? null : op.value) : undefined,
    invoked: op.invoked,
    returned: op.returned ?? Number.POSITIVE_INFINITY,
  }));
  return checkLinearizable(converted, registerModel).ok;
}

test('the register check (Gibbons–Korach zones) agrees with the Wing–Gong search on small histories', () => {
  let rejected = 0;
  fc.assert(
    fc.property(history, (ops) => {
      const zones = checkHistory(ops).violations.length === 0;
      if (!zones) rejected++;
      assert.equal(zones, wgl(ops), JSON.stringify(ops));
    }),
    { numRuns: 3000 },
  );
  // Both verdicts occur, or the agreement would say little.
  assert.ok(rejected > 100 && rejected < 2900, `${rejected} of 3000 histories were not linearizable`);
});
