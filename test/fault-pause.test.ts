import { after, test } from 'node:test';
import { stopFaultRuns } from './faults/run-fault.ts';
import { assertSafe, shortRun } from './faults/short-run.ts';

after(stopFaultRuns);

test('pause: the hot keys\' owner stopped (SIGSTOP) past its lease, then continued, never answers from stale state; nothing lost or doubled', { timeout: 120_000 }, async () => {
  assertSafe(await shortRun('pause'));
});
