import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import { Journal } from '../src/server/journal.ts';
import { runFixture } from './support/fixture.ts';
import { journalFiles, numberedRecord, tempDir } from './support/journal.ts';
import { exited, stopChild } from './support/node.ts';

const COMMITTED = 2000;

/** Reads the writer's stdout until it has reported record `n` as committed; answers the highest reported. */
async function committedUpTo(child: ChildProcess, n: number): Promise<number> {
  let highest = -1;
  for await (const line of createInterface({ input: child.stdout! })) {
    highest = Number(line);
    if (highest >= n) return highest;
  }
  throw new Error(`the writer stopped after reporting ${highest}`);
}

/**
 * Runs the writer fixture, SIGKILLs it once it has reported COMMITTED records, and checks that
 * reopening the journal (taking over the dead writer's lock) recovers every reported record, in
 * order, and nothing that is not one of its records.
 */
async function killAndRecover(t: TestContext, snapshotEvery: number): Promise<void> {
  const dir = tempDir(t);
  const child = runFixture('journal-writer.ts', [dir, String(snapshotEvery)]);
  t.after(() => stopChild(child));
  const reported = await committedUpTo(child, COMMITTED);
  child.kill('SIGKILL');
  assert.deepEqual(await exited(child), { code: null, signal: 'SIGKILL' });

  let { journal, recovered } = Journal.open({ dir });
  const all = [...recovered.snapshot, ...recovered.records];
  assert.ok(all.length > reported, `recovered ${all.length} records, but ${reported} was reported committed`);
  for (const [i, record] of all.entries()) assert.deepEqual(record, numberedRecord(i), `record ${i}`);
  if (snapshotEvery > 0) assert.ok(recovered.snapshot.length > 0, 'no snapshot was recovered');

  // The journal goes on after the recovered records.
  journal.append(numberedRecord(all.length));
  journal.close();
  ({ journal, recovered } = Journal.open({ dir }));
  journal.close();
  assert.equal(recovered.snapshot.length + recovered.records.length, all.length + 1);
  assert.deepEqual(recovered.records.at(-1), numberedRecord(all.length));
  assert.equal(journalFiles(dir).length, snapshotEvery > 0 ? 2 : 1);
}

test('every record a SIGKILLed writer reported committed is recovered, in order, and nothing else', (t) =>
  killAndRecover(t, 0));

test('a SIGKILLed writer that also snapshots every 150 records loses nothing it reported committed', (t) =>
  killAndRecover(t, 150));
