import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Journal } from '../src/server/journal.ts';

type Step =
  | { op: 'append'; record: Uint8Array }
  | { op: 'commit' }
  | { op: 'snapshot' }
  | { op: 'reopen' }
  | { op: 'crash' };

const steps = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('append' as const), record: fc.uint8Array({ maxLength: 200 }) }) },
    { weight: 2, arbitrary: fc.constant({ op: 'commit' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'snapshot' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'reopen' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'crash' as const }) },
  ),
  { maxLength: 40 },
);

/** What the directory holds, as far as a SIGKILL at this moment would leave it: its files but the lock. */
function copyAsCrashed(from: string): string {
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-journal-prop-'));
  for (const name of fs.readdirSync(from)) {
    if (name !== 'LOCK') fs.copyFileSync(path.join(from, name), path.join(to, name));
  }
  return to;
}

test('random appends, commits, snapshots, reopens and crashes recover exactly what an in-memory model holds', () => {
  fc.assert(
    fc.property(steps, (run) => {
      let dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-journal-prop-'));
      let { journal } = Journal.open({ dir });
      // The model: the last snapshot's items, the records committed after it, those only buffered.
      let snapshot: Uint8Array[] = [];
      let committed: Uint8Array[] = [];
      let pending: Uint8Array[] = [];
      const reopenIn = (where: string): void => {
        const opened = Journal.open({ dir: where });
        journal = opened.journal;
        assert.deepEqual(opened.recovered, { snapshot, records: committed });
      };
      try {
        for (const step of run) {
          switch (step.op) {
            case 'append':
              journal.append(step.record);
              pending.push(step.record);
              break;
            case 'commit':
              journal.commit();
              committed.push(...pending);
              pending = [];
              break;
            case 'snapshot':
              if (pending.length > 0) {
                assert.throws(() => journal.snapshot([]), /commit\(\) first/);
                break;
              }
              snapshot = [...snapshot, ...committed];
              committed = [];
              journal.snapshot(snapshot);
              break;
            case 'reopen':
              journal.close();
              committed.push(...pending);
              pending = [];
              reopenIn(dir);
              break;
            case 'crash': {
              const survivor = copyAsCrashed(dir);
              journal.close();
              fs.rmSync(dir, { recursive: true });
              dir = survivor;
              pending = [];
              reopenIn(dir);
              break;
            }
          }
          const bytes = [...committed, ...pending].reduce((n, r) => n + 8 + r.length, 0);
          assert.equal(journal.logBytes, bytes);
        }
      } finally {
        journal.close();
        fs.rmSync(dir, { recursive: true });
      }
    }),
    { numRuns: 200 },
  );
});
