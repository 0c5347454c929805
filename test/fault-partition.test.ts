import { after, test } from 'node:test';
import { stopFaultRuns } from './faults/run-fault.ts';
import { assertSafe, shortRun } from './faults/short-run.ts';

after(stopFaultRuns);

test('partition: the hot keys\' owner cut off from members, clients and etcd (network namespaces), then reconnected: no stale read, nothing lost or doubled, one state per object after', { timeout: 120_000 }, async () => {
  assertSafe(await shortRun('partition'));
});
