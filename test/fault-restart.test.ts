import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { stopFaultRuns } from './faults/run-fault.ts';
import { assertSafe, shortRun } from './faults/short-run.ts';

after(stopFaultRuns);

test('restart: a member killed and restarted on its data directory brings back no object destroyed while it was down, and no stale state', { timeout: 120_000 }, async () => {
  const run = await shortRun('restart');
  assert.ok(run.destroyed > 0, `no destroy was acknowledged while the member was down: ${run.notes.join('; ')}`);
  assertSafe(run);
});
