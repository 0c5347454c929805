import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killMembers, startMember, tempDir } from './support/cluster.ts';
import { runSkein, stopSkeins } from './support/node.ts';

after(stopSkeins);
after(killMembers);

/** Asserts `skein dso args` exits with `code` and a one-line reason matching `reason`, no stack trace. */
async function refused(args: string[], code: number, reason: RegExp): Promise<void> {
  const { code: exit, stdout, stderr } = await runSkein(['dso', '--port', '0', '--log-level', 'silent', ...args]);
  assert.equal(exit, code, `stderr: ${stderr}`);
  assert.equal(stdout, '', 'it never listened');
  const [first] = stderr.split('\n');
  assert.match(first!, /^skein: /);
  assert.match(first!, reason);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

test('a bad --rf is a usage error', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('--rf 0', () => refused(['--rf', '0'], 2, /--rf must be from 1 to 16, got 0/)),
    t.test('--rf 17', () => refused(['--rf', '17'], 2, /--rf must be from 1 to 16, got 17/)),
    t.test('--rf x', () => refused(['--rf', 'x'], 2, /--rf must be a non-negative integer, got 'x'/)),
  ]);
});

test('a --join that is not a DSO address is a usage error', async () => {
  await refused(['--join', 'http://example.com:1'], 2, /--join: 'http:\/\/example\.com:1' has scheme http:; expected skein:\/\/ or skeins:\/\//);
  await refused(['--join', ','], 2, /--join: no DSO address given/);
});

test('a --join naming no reachable member fails after the join timeout, naming the seed', { timeout: 60_000 }, async () => {
  await refused(['--join', 'nonsense'], 1, /could not join a cluster through skein:\/\/nonsense:7070 within \d+ ms/);
});

test('a --data-dir that is a file is refused, naming it', async (t) => {
  const data = tempDir();
  t.after(data.remove);
  const file = join(data.dir, 'a-file');
  writeFileSync(file, 'x');
  await refused(['--data-dir', file], 1, new RegExp(`cannot use data directory ${file}: it exists and is not a directory`));
});

test('a --data-dir another running node holds is refused, naming the holder', async (t) => {
  const data = tempDir();
  t.after(data.remove);
  const holder = await startMember({ dataDir: data.dir });
  await refused(['--data-dir', data.dir], 1, new RegExp(`${data.dir} is in use by process ${holder.child.pid} \\(lock file `));
  await holder.stop();
  // Once the holder stopped, the directory is free again.
  const next = await startMember({ dataDir: data.dir });
  await next.stop();
});
