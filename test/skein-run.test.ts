import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { freePort, runSkein, stopSkeins, type SkeinResult } from './support/node.ts';

const running = new Set<ChildProcess>();
after(async () => {
  await stopSkeins();
  for (const child of running) child.kill('SIGKILL');
});

/** Runs `skein run ...args` to its end, with no DSO configured (so it embeds one). */
function skeinRun(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SkeinResult> {
  return runSkein(['run', ...args], { SKEIN_DSO: undefined, SKEIN_TOKEN: undefined, ...env });
}

const MONTE_CARLO = { SAMPLES: '2e6', THREADS: '2' };

function assertPi(stdout: string): void {
  const m = stdout.match(/^pi ~ (\d+\.\d+) .* on 2 threads/m);
  assert.ok(m, `no pi line in: ${stdout}`);
  assert.ok(Math.abs(Number(m[1]) - Math.PI) < 0.05, `pi ~ ${m[1]}`);
}

test('skein run examples/montecarlo.ts prints pi and exits 0, its threads on worker threads', { timeout: 30_000 }, async () => {
  const [montecarlo, where] = await Promise.all([
    skeinRun(['examples/montecarlo.ts'], MONTE_CARLO),
    skeinRun(['test/fixtures/where-app.ts']),
  ]);
  assert.equal(montecarlo.code, 0, montecarlo.stderr);
  assertPi(montecarlo.stdout);
  assert.equal(where.code, 0, where.stderr);
  const ran = JSON.parse(where.stdout) as { main: number; thread: { pid: number; isMainThread: boolean } };
  assert.deepEqual(ran.thread, { pid: ran.main, isMainThread: false });
});

test('skein run --backend process runs the threads in child processes', { timeout: 30_000 }, async () => {
  const [montecarlo, where] = await Promise.all([
    skeinRun(['examples/montecarlo.ts', '--backend', 'process'], MONTE_CARLO),
    skeinRun(['--backend', 'process', 'test/fixtures/where-app.ts']),
  ]);
  assert.equal(montecarlo.code, 0, montecarlo.stderr);
  assertPi(montecarlo.stdout);
  assert.equal(where.code, 0, where.stderr);
  const ran = JSON.parse(where.stdout) as { main: number; thread: { pid: number; isMainThread: boolean } };
  assert.notEqual(ran.thread.pid, ran.main);
  assert.equal(ran.thread.isMainThread, true);
});

test("main that throws: exit 1 and what it threw, once: a thread's RemoteError, a shared object's, a bug of its own", { timeout: 30_000 }, async () => {
  const [thread, call, callWithSites, bug] = await Promise.all([
    skeinRun(['test/fixtures/failing-app.ts']),
    skeinRun(['test/fixtures/failing-call-app.ts'], { SKEIN_CALL_SITES: undefined }),
    skeinRun(['test/fixtures/failing-call-app.ts'], { SKEIN_CALL_SITES: '1' }),
    skeinRun(['test/fixtures/buggy-app.ts']),
  ]);
  assert.equal(thread.code, 1, thread.stderr);
  const threadLines = thread.stderr.split('\n');
  assert.match(threadLines[0]!, /^skein run: main failed: RemoteError from thread \d+-[0-9a-f]{8}-1 \(task 'failingApp\.explode'\): RangeError: bad sample size -1$/);
  assert.match(threadLines[1]!, /^\s+at .*fixtures\/failing-app\.ts:9:\d+\)$/, "main's own line: where the thread was awaited");
  assert.match(thread.stderr, /\nremote stack:\n\s+at .*fixtures\/failing-app\.ts:5:\d+\)\n/);
  assert.equal(thread.stderr.match(/bad sample size/g)?.length, 1, 'the message is said once');

  assert.equal(call.code, 1, call.stderr);
  const callLines = call.stderr.split('\n');
  assert.equal(callLines[0], 'skein run: main failed: RemoteError: RangeError: index 5 is out of bounds for a list of 1');
  assert.equal(callLines[1], '(SKEIN_CALL_SITES=1 shows the line of the app that made the failing call)');
  assert.match(call.stderr, /\nremote stack:\n\s+at .*shared-list\.ts/);
  assert.doesNotMatch(call.stderr, /a thread failed/);
  assert.equal(callWithSites.code, 1, callWithSites.stderr);
  const sitesLines = callWithSites.stderr.split('\n');
  assert.equal(sitesLines[0], "skein run: main failed: RemoteError from method get of SharedList 'failingCallApp.list': RangeError: index 5 is out of bounds for a list of 1");
  assert.match(sitesLines[1]!, /^\s+at .*fixtures\/failing-call-app\.ts:7:\d+\)$/);
  assert.match(sitesLines[2]!, /^remote stack:$/);

  assert.equal(bug.code, 1, bug.stderr);
  const bugLines = bug.stderr.split('\n');
  assert.equal(bugLines[0], "skein run: main failed: TypeError: Cannot read properties of undefined (reading 'threads')");
  assert.match(bugLines[1]!, /^\s+at .*fixtures\/buggy-app\.ts:4:\d+\)$/);
  assert.equal(bug.stderr.match(/Cannot read properties/g)?.length, 1, 'the message is said once');
});

test('a DSO that cannot be reached is said once, before the app runs: exit 1 with the refused connection', { timeout: 30_000 }, async () => {
  const url = `skein://127.0.0.1:${await freePort()}`;
  const { code, stdout, stderr } = await skeinRun(['test/fixtures/where-app.ts', '--dso', url]);
  assert.equal(code, 1, stderr);
  assert.equal(stdout, '', 'main never ran');
  const port = url.split(':').pop();
  assert.equal(stderr, `skein run: connection to ${url} failed: connect ECONNREFUSED 127.0.0.1:${port}\n`);
});

test('an entry that cannot run exits 2 with a usage error: no default export, or no such file', { timeout: 30_000 }, async () => {
  const [noMain, missing] = await Promise.all([
    skeinRun(['test/fixtures/no-main-app.ts']),
    skeinRun(['test/fixtures/not-there.ts']),
  ]);
  assert.equal(noMain.code, 2, noMain.stderr);
  assert.match(noMain.stderr, /no-main-app\.ts has no default export function; export default async function main/);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /entry file not found: test\/fixtures\/not-there\.ts/);
});

test('on a terminal, skein run shows threads done / spawned and clears the line at the end', { timeout: 30_000 }, async (t) => {
  const { spawnSync } = await import('node:child_process');
  if (spawnSync('script', ['--version']).error) {
    t.skip('util-linux script (to give the run a terminal) is not installed');
    return;
  }
  // script(1) runs the command on a pseudo-terminal, so stderr.isTTY is true as for a person.
  const child = (await import('node:child_process')).spawn(
    'script',
    ['-qec', `${JSON.stringify(process.execPath)} bin/skein.js run examples/montecarlo.ts`, '/dev/null'],
    { env: { ...process.env, ...MONTE_CARLO, SKEIN_DSO: '', SKEIN_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  running.delete(child);
  assert.equal(code, 0, out);
  assert.match(out, /\rthreads: 0\/1 done\x1b\[K/);
  assert.match(out, /\r\x1b\[Kpi ~ /);
  assertPi(out.slice(out.lastIndexOf('\x1b[K') + 3).replace(/\r/g, ''));
});
