/**
 * The short version of each fault that `npm test` runs: a few seconds of load from 3 driver
 * processes at 100 calls per second each, the fault shortened to fit, and one assertion with the
 * checker's findings in its message. Longer runs: `npm run faults`.
 */
import assert from 'node:assert/strict';
import type { FaultName } from './injectors.ts';
import { runFault, type FaultRun } from './run-fault.ts';

/**
 * How long each fault lasts in its short run (ms): a pause or a cut longer than the members'
 * 2 s etcd lease (etcd's shortest), so the others take over while the member is away.
 */
const SHORT_FAULT_MS: Record<FaultName, number> = { kill: 0, 'cpu-hog': 3_000, pause: 3_500, restart: 1_500, 'double-kill': 0, partition: 4_000 };

/** Runs `fault` briefly. */
export function shortRun(fault: FaultName): Promise<FaultRun> {
  return runFault({ fault, loadMs: 5_000, faultMs: SHORT_FAULT_MS[fault], clients: 3, rate: 100 });
}

/** Asserts the run made calls and the checker found nothing; the message lists what it found. */
export function assertSafe(run: FaultRun): void {
  assert.ok(run.report.acknowledged > 0, `${run.fault}: no call was acknowledged`);
  const found = run.report.violations.slice(0, 8).map((v) => `${v.kind} on ${v.object}: ${v.message}`);
  const more = run.report.violations.length > found.length ? `\n  ... and ${run.report.violations.length - found.length} more` : '';
  assert.deepEqual(found, [], `${run.fault}: ${run.report.violations.length} violations\n  ${found.join('\n  ')}${more}\n  notes: ${run.notes.join('; ')}`);
}
