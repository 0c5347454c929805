import { after, test } from 'node:test';
import { stopFaultRuns } from './faults/run-fault.ts';
import { assertSafe, shortRun } from './faults/short-run.ts';

after(stopFaultRuns);

test('cpu-hog: two busy processes beside the members under load: the history stays linearizable and the copies equal', { timeout: 120_000 }, async () => {
  assertSafe(await shortRun('cpu-hog'));
});
