import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, test } from 'node:test';
import { stopFaultRuns } from './faults/run-fault.ts';
import { assertSafe, shortRun } from './faults/short-run.ts';

after(stopFaultRuns);

test('partition: the hot keys\' owner cut off from members, clients and etcd (network namespaces), then reconnected: no stale read, nothing lost or doubled, one state per object after', { timeout: 120_000 }, async () => {
  const run = await shortRun('partition');
  // The run removed its namespaces and links, whatever it found.
  const left = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }) + execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  assert.doesNotMatch(left, new RegExp(`skf${process.pid}`));
  assertSafe(run);
});
