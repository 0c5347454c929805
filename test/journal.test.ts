import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DataDirError } from '../src/errors/index.ts';
import { Journal, MAX_RECORD_BYTES, type Recovered } from '../src/server/journal.ts';
import { runFixture } from './support/fixture.ts';
import { journalFiles, tempDir } from './support/journal.ts';
import { exited, stopChild, waitForLine } from './support/node.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Bytes a record takes in the log: its frame header and payload. */
const framed = (...records: Uint8Array[]): number => records.reduce((n, r) => n + 8 + r.length, 0);
const HEADER = 16;

/** Opens the journal in `dir`, hands it to `use`, closes it and answers what the open recovered. */
function reopen(dir: string, use: (journal: Journal) => void = () => undefined): Recovered {
  const { journal, recovered } = Journal.open({ dir });
  try {
    use(journal);
  } finally {
    journal.close();
  }
  return recovered;
}

/** Asserts that `f` throws a DataDirError with `code` whose message names `file`. */
function assertRefused(f: () => unknown, code: string, file: string): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof DataDirError, String(err));
    assert.equal(err.code, code);
    assert.ok(err.message.includes(file), `${err.message} does not name ${file}`);
    return true;
  });
}

test('committed records come back in order after reopening, empty and binary ones included', (t) => {
  const dir = tempDir(t);
  const records = [bytes('one'), new Uint8Array(0), Uint8Array.from([0, 255, 0, 10, 13]), bytes('x'.repeat(70_000))];
  const { journal, recovered } = Journal.open({ dir, fsync: true });
  assert.deepEqual(recovered, { snapshot: [], records: [] });
  for (const r of records.slice(0, 2)) journal.append(r);
  assert.equal(journal.logBytes, framed(...records.slice(0, 2)));
  journal.commit();
  journal.commit(); // nothing buffered: no-op
  for (const r of records.slice(2)) journal.append(r);
  journal.close(); // commits what is buffered
  journal.close();
  assert.deepEqual(reopen(dir), { snapshot: [], records });
  const { journal: again } = Journal.open({ dir });
  assert.equal(again.logBytes, framed(...records));
  again.close();
});

test('the bytes of a record are taken at append: changing the array afterwards changes nothing', (t) => {
  const dir = tempDir(t);
  const record = bytes('before');
  reopen(dir, (journal) => {
    journal.append(record);
    record.set(bytes('after!'));
  });
  assert.deepEqual(reopen(dir).records, [bytes('before')]);
});

test('a snapshot replaces the state and starts an empty log; records after it follow it', (t) => {
  const dir = tempDir(t);
  reopen(dir, (journal) => {
    journal.append(bytes('a'));
    journal.commit();
    journal.snapshot([bytes('s1'), new Uint8Array(0), bytes('s3')]);
    assert.equal(journal.logBytes, 0);
    journal.append(bytes('b'));
  });
  assert.deepEqual(reopen(dir), { snapshot: [bytes('s1'), new Uint8Array(0), bytes('s3')], records: [bytes('b')] });
  assert.deepEqual(journalFiles(dir), ['log-000001.skein', 'snapshot-000001.skein']);
  // An empty snapshot is a state too: the empty one.
  reopen(dir, (journal) => journal.snapshot([]));
  assert.deepEqual(reopen(dir), { snapshot: [], records: [] });
});

test('over many generations only the newest snapshot and its log stay on disk', (t) => {
  const dir = tempDir(t);
  let { journal } = Journal.open({ dir });
  const state: Uint8Array[] = [];
  for (let gen = 1; gen <= 30; gen++) {
    for (let i = 0; i < gen % 4; i++) {
      const record = bytes(`${gen}.${i}`);
      journal.append(record);
      state.push(record);
    }
    journal.commit();
    journal.snapshot(state);
    if (gen % 3 === 0) {
      journal.close();
      let recovered: Recovered;
      ({ journal, recovered } = Journal.open({ dir }));
      assert.deepEqual(recovered, { snapshot: state, records: [] });
    }
  }
  journal.append(bytes('tail'));
  journal.close();
  assert.deepEqual(reopen(dir), { snapshot: state, records: [bytes('tail')] });
  assert.deepEqual(journalFiles(dir), ['log-000030.skein', 'snapshot-000030.skein']);
});

test('a log torn at any byte of its last record keeps the records before it, and later appends follow them', (t) => {
  const dir = tempDir(t);
  const [a, b, c] = [bytes('first'), bytes('second'), bytes('the third record')];
  reopen(dir, (journal) => [a, b, c].forEach((r) => journal.append(r!)));
  const log = path.join(dir, 'log-000000.skein');
  const whole = fs.readFileSync(log);
  const lastStart = HEADER + framed(a!, b!);
  assert.equal(whole.length, lastStart + framed(c!));
  for (let cut = lastStart; cut < whole.length; cut++) {
    fs.writeFileSync(log, whole.subarray(0, cut));
    assert.deepEqual(reopen(dir, (journal) => journal.append(bytes('d'))).records, [a, b], `cut at ${cut}`);
    assert.equal(fs.statSync(log).size, lastStart + framed(bytes('d')), `cut at ${cut}`);
    assert.deepEqual(reopen(dir).records, [a, b, bytes('d')], `cut at ${cut}`);
  }
});

test('a flipped byte anywhere in a record (length, CRC or payload) ends recovery before it', (t) => {
  const dir = tempDir(t);
  const [a, b, c] = [bytes('first'), bytes('second'), bytes('third')];
  reopen(dir, (journal) => [a, b, c].forEach((r) => journal.append(r!)));
  const log = path.join(dir, 'log-000000.skein');
  const whole = fs.readFileSync(log);
  const bStart = HEADER + framed(a!);
  for (let at = bStart; at < bStart + framed(b!); at++) {
    const damaged = Buffer.from(whole);
    damaged[at]! ^= 0x01;
    fs.writeFileSync(log, damaged);
    assert.deepEqual(reopen(dir, (journal) => journal.append(bytes('d'))).records, [a], `flip at ${at}`);
    assert.deepEqual(reopen(dir).records, [a, bytes('d')], `flip at ${at}`);
  }
});

test('a zero-filled tail (left by a power loss on some file systems) is not read as empty records', (t) => {
  const dir = tempDir(t);
  reopen(dir, (journal) => journal.append(bytes('a')));
  const log = path.join(dir, 'log-000000.skein');
  fs.appendFileSync(log, new Uint8Array(64));
  assert.deepEqual(reopen(dir).records, [bytes('a')]);
  assert.equal(fs.statSync(log).size, HEADER + framed(bytes('a')));
});

test('a file that is not a journal file of this format is refused, naming it, and left as it was', (t) => {
  const dir = tempDir(t);
  reopen(dir, (journal) => {
    journal.append(bytes('a'));
    journal.commit();
    journal.snapshot([bytes('s')]);
  });
  const log = path.join(dir, 'log-000001.skein');
  const snapshot = path.join(dir, 'snapshot-000001.skein');
  const good = { log: fs.readFileSync(log), snapshot: fs.readFileSync(snapshot) };
  const versioned = Buffer.from(good.log);
  versioned.writeUInt32LE(2, 8);
  const renamed = Buffer.from(good.log);
  renamed.writeUInt32LE(7, 12);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    [log, bytes('hello, this is not a journal at all'), /not a Skein journal file/],
    [log, bytes('SKEIN'), /not a Skein journal file/],
    [log, versioned, /format version 2; this Skein reads version 1/],
    [log, renamed, /generation 7, not the 1 of its name/],
    [snapshot, bytes('{"some": "json"}\n'), /not a Skein journal file/],
  ];
  for (const [file, content, message] of cases) {
    fs.writeFileSync(file, content);
    assertRefused(() => Journal.open({ dir }), 'EDATA_DIR_FORMAT', file);
    assert.throws(() => Journal.open({ dir }), message);
    assert.deepEqual(fs.readFileSync(file), Buffer.from(content));
    assert.deepEqual(journalFiles(dir), ['log-000001.skein', 'snapshot-000001.skein']);
    fs.writeFileSync(log, good.log);
    fs.writeFileSync(snapshot, good.snapshot);
  }
  // The refusals released the lock.
  assert.deepEqual(reopen(dir), { snapshot: [bytes('s')], records: [] });
});

test('a log newer than every complete snapshot is refused rather than dropped', (t) => {
  const dir = tempDir(t);
  reopen(dir, (journal) => {
    journal.snapshot([bytes('s')]);
    journal.append(bytes('a'));
  });
  const snapshot = path.join(dir, 'snapshot-000001.skein');
  fs.truncateSync(snapshot, fs.statSync(snapshot).size - 1);
  assertRefused(() => Journal.open({ dir }), 'EDATA_DIR_FORMAT', 'log-000001.skein');
  assert.deepEqual(journalFiles(dir), ['log-000001.skein', 'snapshot-000001.skein']);
});

test('a directory that cannot be created or used is refused, naming it', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  assertRefused(() => Journal.open({ dir: file }), 'EDATA_DIR', file);
  assert.throws(() => Journal.open({ dir: file }), /exists and is not a directory/);
  assertRefused(() => Journal.open({ dir: path.join(file, 'below') }), 'EDATA_DIR', path.join(file, 'below'));
  // A missing directory is created, parents included.
  const nested = path.join(dir, 'x', 'y');
  assert.deepEqual(reopen(nested), { snapshot: [], records: [] });
  assert.ok(fs.statSync(nested).isDirectory());
});

test('a journal held by a live process is refused until that process closes it', async (t) => {
  const dir = tempDir(t);
  const holder = runFixture('journal-holder.ts', [dir]);
  t.after(() => stopChild(holder));
  await waitForLine(holder, /^open$/m);
  assertRefused(() => Journal.open({ dir }), 'EDATA_DIR_LOCKED', dir);
  assert.throws(() => Journal.open({ dir }), new RegExp(`in use by process ${holder.pid}`));
  holder.stdin!.end();
  assert.deepEqual(await exited(holder), { code: 0, signal: null });
  assert.deepEqual(reopen(dir), { snapshot: [], records: [] });
});

test('the same process cannot open one journal twice', (t) => {
  const dir = tempDir(t);
  const { journal } = Journal.open({ dir });
  t.after(() => journal.close());
  assertRefused(() => Journal.open({ dir }), 'EDATA_DIR_LOCKED', dir);
});

test('a lock left by a dead process is taken over; a lock file without a pid is refused', (t) => {
  const dir = tempDir(t);
  reopen(dir, (journal) => journal.append(bytes('a')));
  const lock = path.join(dir, 'LOCK');
  const dead = spawnSync(process.execPath, ['-e', '']).pid; // exited and reaped: its pid is free
  fs.writeFileSync(lock, `${dead}\n`);
  const { journal, recovered } = Journal.open({ dir });
  assert.deepEqual(recovered.records, [bytes('a')]);
  assert.equal(fs.readFileSync(lock, 'utf8'), `${process.pid}\n`);
  journal.close();
  assert.ok(!fs.existsSync(lock), 'close() released the lock');

  for (const content of ['', 'garbage\n', '0\n']) {
    fs.writeFileSync(lock, content);
    assertRefused(() => Journal.open({ dir }), 'EDATA_DIR_LOCKED', lock);
    assert.equal(fs.readFileSync(lock, 'utf8'), content);
  }
});

test('a crash inside snapshot() recovers the old state before the rename and the new one after it', (t) => {
  const dir = tempDir(t);
  reopen(dir, (journal) => {
    journal.append(bytes('a'));
    journal.commit();
    journal.snapshot([bytes('old 1'), bytes('old 2')]);
    journal.append(bytes('b'));
  });
  const old: Recovered = { snapshot: [bytes('old 1'), bytes('old 2')], records: [bytes('b')] };
  const before = new Map(journalFiles(dir).map((name) => [name, fs.readFileSync(path.join(dir, name))]));
  reopen(dir, (journal) => journal.snapshot([bytes('new 1'), bytes('new 2'), bytes('new 3')]));
  const newSnapshot = fs.readFileSync(path.join(dir, 'snapshot-000002.skein'));

  /** Puts the directory back as it was before the second snapshot, plus `extra`. */
  const crashedWith = (name: string, content: Uint8Array): void => {
    for (const f of journalFiles(dir)) fs.rmSync(path.join(dir, f));
    for (const [f, c] of before) fs.writeFileSync(path.join(dir, f), c);
    fs.writeFileSync(path.join(dir, name), content);
  };
  // Crashed while writing or syncing the temp file: the old state, and the temp file is gone.
  for (const cut of [0, 10, newSnapshot.length - 1, newSnapshot.length]) {
    crashedWith('snapshot-000002.skein.tmp', newSnapshot.subarray(0, cut));
    assert.deepEqual(reopen(dir), old, `temp file of ${cut} bytes`);
    assert.deepEqual(journalFiles(dir), [...before.keys()]);
  }
  // A snapshot file cut short at any byte (no complete trailer) is ignored and removed.
  for (let cut = 0; cut < newSnapshot.length; cut++) {
    crashedWith('snapshot-000002.skein', newSnapshot.subarray(0, cut));
    assert.deepEqual(reopen(dir), old, `snapshot of ${cut} bytes`);
    assert.deepEqual(journalFiles(dir), [...before.keys()]);
  }
  // Crashed after the rename, before the new log: the new state; the old files are removed.
  crashedWith('snapshot-000002.skein', newSnapshot);
  assert.deepEqual(reopen(dir), { snapshot: [bytes('new 1'), bytes('new 2'), bytes('new 3')], records: [] });
  assert.deepEqual(journalFiles(dir), ['log-000002.skein', 'snapshot-000002.skein']);
});

test('bad input is refused: non-bytes, oversize records, snapshot over uncommitted records, use after close', (t) => {
  const dir = tempDir(t);
  const { journal } = Journal.open({ dir });
  assert.throws(() => journal.append('text' as unknown as Uint8Array), TypeError);
  assert.throws(() => journal.append(null as unknown as Uint8Array), TypeError);
  assert.throws(() => journal.append(new Uint8Array(MAX_RECORD_BYTES + 1)), RangeError);
  journal.append(bytes('a'));
  assert.throws(() => journal.snapshot([]), /commit\(\) first/);
  journal.commit();
  // A bad snapshot item leaves the journal as it was, usable, with no temp file behind.
  assert.throws(() => journal.snapshot([bytes('s'), [1, 2] as unknown as Uint8Array]), /snapshot item 1/);
  assert.deepEqual(journalFiles(dir), ['log-000000.skein']);
  journal.append(bytes('b'));
  journal.close();
  assert.throws(() => journal.append(bytes('c')), /closed/);
  assert.throws(() => journal.commit(), /closed/);
  assert.throws(() => journal.snapshot([]), /closed/);
  assert.deepEqual(reopen(dir), { snapshot: [], records: [bytes('a'), bytes('b')] });
});
