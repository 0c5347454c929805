import { after, test } from 'node:test';
import { stopFaultRuns } from './faults/run-fault.ts';
import { assertSafe, shortRun } from './faults/short-run.ts';

after(stopFaultRuns);

test('kill: SIGKILL of the member serving the hot keys under load loses no acknowledged call, doubles none, serves no stale read, leaves equal copies', { timeout: 120_000 }, async () => {
  assertSafe(await shortRun('kill'));
});
