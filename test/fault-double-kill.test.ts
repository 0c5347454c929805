import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { stopFaultRuns } from './faults/run-fault.ts';
import { assertSafe, shortRun } from './faults/short-run.ts';

after(stopFaultRuns);

test('double kill: both members holding the hot key killed 300 ms apart: its objects fail with EOBJECT_LOST, are never re-created silently, and start anew once the loss is accepted', { timeout: 120_000 }, async () => {
  const run = await shortRun('double-kill');
  assert.ok(run.lost.length > 0, `no object was lost: ${run.notes.join('; ')}`);
  assertSafe(run);
});
