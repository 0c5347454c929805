import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killMembers, startCluster, startMember, tempDir } from './support/cluster.ts';
import { freePort, runSkein, stopSkeins } from './support/node.ts';

after(stopSkeins);
after(killMembers);

/**
 * Asserts `skein dso args` exits with `code` and a one-line reason matching `reason`, no stack
 * trace; a usage error (2) adds one line pointing at the help.
 */
async function refused(args: string[], code: number, reason: RegExp): Promise<void> {
  const { code: exit, stdout, stderr } = await runSkein(['dso', '--port', '0', '--log-level', 'silent', ...args]);
  assert.equal(exit, code, `stderr: ${stderr}`);
  assert.equal(stdout, '', 'it never listened');
  const [first, ...rest] = stderr.split('\n');
  assert.match(first!, /^skein dso: /);
  assert.match(first!, reason);
  assert.deepEqual(rest, code === 2 ? ["see 'skein dso --help'", ''] : [''], 'nothing more: no stack trace');
}

test('a bad --rf is a usage error', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('--rf 0', () => refused(['--rf', '0'], 2, /--rf must be an integer from 1 to 16, got '0'/)),
    t.test('--rf 17', () => refused(['--rf', '17'], 2, /--rf must be an integer from 1 to 16, got '17'/)),
    t.test('--rf x', () => refused(['--rf', 'x'], 2, /--rf must be an integer from 1 to 16, got 'x'/)),
  ]);
});

test('etcd options that make no sense are usage errors', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('--etcd skein://', () => refused(['--etcd', 'skein://127.0.0.1:2379'], 2, /--etcd takes etcd client URLs like http:\/\/127\.0\.0\.1:2379, comma-separated; got 'skein:\/\/127\.0\.0\.1:2379'/)),
    t.test('--cluster without --etcd', () => refused(['--cluster', 'c1'], 2, /--cluster and --lease-ttl-ms need --etcd/)),
    t.test('--cluster with a slash', () => refused(['--etcd', 'http://127.0.0.1:1', '--cluster', 'a/b'], 2, /--cluster takes 1 to 63 letters/)),
    t.test('--lease-ttl-ms 10', () => refused(['--etcd', 'http://127.0.0.1:1', '--lease-ttl-ms', '10'], 2, /--lease-ttl-ms must be an integer from 1000 to 3600000, got '10'/)),
  ]);
});

test('an etcd that cannot be reached fails the start in one line, naming it', async () => {
  const port = await freePort();
  await refused(['--etcd', `http://127.0.0.1:${port}`], 1, new RegExp(`no etcd endpoint answered \\(http://127\\.0\\.0\\.1:${port}\\)`));
});

test('a member started with another rf than its cluster is refused, naming both', async () => {
  const [first] = await startCluster(1, 2);
  await refused(['--etcd', first!.etcd!, '--cluster', first!.cluster!, '--rf', '3'], 1, /keeps 2 copies of each object \(rf 2\); this node was started with rf 3/);
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
