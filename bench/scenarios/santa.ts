/**
 * `santa`: the Santa Claus problem, 20 threads (Santa, 9 reindeer, 10 elves), 50 years:
 * examples/santa.ts (20 cloud threads on the local backend's one worker per core, their monitors
 * on the node) against its twin (20 worker threads, monitors in shared memory), timed as
 * bench/app-runs.ts describes. Target: Skein's time <= 2x the twin's. Checked: every run's record
 * satisfies the problem's invariants (checkSanta).
 */
import { checkSanta, type SantaRun } from '../../examples/lib/santa-core.ts';
import { runSanta } from '../../examples/santa.ts';
import { runSanta as runTwin } from '../twins/santa.ts';
import { appResult, timeApp } from '../app-runs.ts';
import type { ScenarioResult } from '../result.ts';

/** Runs the scenario for `years` years. */
export async function santa(years = 50): Promise<ScenarioResult> {
  const params = { years };
  const times = await timeApp<SantaRun>({
    app: 'santa',
    skein: () => runSanta(params),
    twin: () => runTwin(params),
    processes: { app: 'examples/santa.ts', twin: 'bench/twins/santa.ts', run: 'runSanta', params },
    check(run, which) {
      const violations = checkSanta(run, params);
      if (violations.length > 0) throw new Error(`santa: ${which} broke the invariants:\n${violations.join('\n')}`);
    },
  });
  return appResult('santa', `Santa Claus problem, 20 threads, ${years} years`, times, { time: 2 });
}
