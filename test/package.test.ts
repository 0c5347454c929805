// The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), the tarball
// installed into an empty project (its dependencies from npm's cache, else the registry), then
// plain Node, the installed `skein` command and the user's own `tsc` on it: no loader, nothing of
// this repository but the tarball.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { exited, output, ROOT, waitForLine } from './support/node.ts';

const run = promisify(execFile);

/** The user's project. */
let dir: string;
/** The paths in the tarball. */
let packed: string[];

/** The environment of a command in the user's project: none of the npm run that started this. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'SKEIN_DSO' && k !== 'SKEIN_TOKEN'));
}

/** Runs a command in the user's project; resolves with its output, or rejects with it. */
function inProject(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(command, args, { cwd: dir, env: userEnv(), maxBuffer: 16 << 20 });
}

/** Runs the installed `skein` with `args` to its end. */
async function installedSkein(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(dir, 'node_modules/.bin/skein'), ...args], { cwd: dir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = output(child);
  const { code } = await exited(child);
  await Promise.all([child.stdout!.closed, child.stderr!.closed]);
  return { code, ...out };
}

/** The user's files: an app in plain JavaScript, one in TypeScript with tasks in a module of its own. */
const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'skein-user', private: true, type: 'module' }),
  'plain.mjs': `
    import { connect, AtomicLong, task } from 'skein';
    import { startNode } from 'skein/server';
    import { handler } from 'skein/lambda';
    import { fetchHandler } from 'skein/http';
    export const twice = task('plain.twice', (n) => 2 * n);
    const client = await connect({ url: process.argv[2] });
    const hits = new AtomicLong({ key: 'package-test.hits', client });
    const counts = [await hits.incrementAndGet(), await hits.incrementAndGet()];
    await client.close();
    const node = await startNode({ port: 0, logLevel: 'silent' });
    await node.close();
    const refused = await fetchHandler({ secret: 'a secret the app shares' })(new Request('http://function/', { method: 'POST', body: 'not signed' }));
    const badEvent = await handler({}).then(() => 'resolved', (err) => err.constructor.name);
    console.log(JSON.stringify({ counts, taskModule: twice.definition.module === import.meta.url, http: refused.status, badEvent }));
  `,
  'required.cjs': `
    const skein = require('skein');
    console.log(JSON.stringify([typeof skein.connect, typeof require('skein/server').startNode, typeof require('skein/lambda').handler, typeof require('skein/http').nodeHandler]));
  `,
  'lib/data.txt': 'read beside its module\n',
  'lib/tasks.ts': `
    import { readFileSync } from 'node:fs';
    import { AtomicLong, task } from 'skein';
    /** Reads a file next to this module (import.meta.url is this file's, bundled or not) and counts itself. */
    export const visit = task('user.visit', async (id: number): Promise<string> => {
      await new AtomicLong('user.visits').incrementAndGet();
      return \`\${id}: \${readFileSync(new URL('./data.txt', import.meta.url), 'utf8').trim()}\`;
    });
    /** A task that names its module itself: this TypeScript file, which workers find in the run's bundle. */
    export const named = task('user.named', () => 'named its module', { module: import.meta.url });
  `,
  'app.ts': `
    import { AtomicLong, CloudThread } from 'skein';
    import { named, visit } from './lib/tasks.ts';
    export { visit };
    export default async function main(): Promise<string> {
      const visits = new AtomicLong({ key: 'user.visits', forceNew: true }, 0);
      await visits.get();
      const threads = [1, 2, 3].map((id) => new CloudThread(visit, id).start());
      const read = await Promise.all(threads.map((t) => t.join()));
      return JSON.stringify({ read, visits: await visits.get(), named: await named.run() });
    }
  `,
  'typed.ts': `
    import { connect, AtomicLong, task, type Task, SkeinError } from 'skein';
    import { startNode, type DsoNode } from 'skein/server';
    import { handler, type LambdaInvocationEvent } from 'skein/lambda';
    import { nodeHandler, type HttpHandlerOptions } from 'skein/http';
    const double: Task<number, number> = task('typed.double', (n: number) => 2 * n);
    export async function use(event: LambdaInvocationEvent, opts: HttpHandlerOptions): Promise<number> {
      const node: DsoNode = await startNode({ port: 0 });
      const client = await connect({ url: node.url });
      const n: number = await new AtomicLong({ key: 'k', client }).incrementAndGet();
      nodeHandler(opts);
      await handler(event).catch((err: unknown) => err instanceof SkeinError);
      return n + (await double.run(n));
    }
  `,
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], allowImportingTsExtensions: true },
    files: ['typed.ts', 'app.ts', 'lib/tasks.ts'],
  }),
  'lambda-bundle.mjs': `
    // What skein deploy lambda makes (without the SDK it also needs): the app and skein/lambda's handler in one file.
    import { build } from 'esbuild';
    await build({
      stdin: { contents: "export * from './app.ts';\\nexport { handler } from 'skein/lambda';", resolveDir: process.cwd(), loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', outfile: 'lambda/index.mjs', logLevel: 'silent',
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      external: ['msgpackr-extract'],
    });
    const m = await import('./lambda/index.mjs');
    console.log(JSON.stringify({ handler: typeof m.handler, taskModule: m.visit.definition.module }));
  `,
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-user-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, env: userEnv(), maxBuffer: 16 << 20 });
  const [info] = JSON.parse(stdout) as [{ filename: string; files: Array<{ path: string }> }];
  packed = info.files.map((f) => f.path);
  for (const [name, text] of Object.entries(FILES)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  // The user's own @types/node, the version this repository type-checks with (in npm's cache).
  const typesNode = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;
  await inProject('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename), `@types/node@${typesNode}`]);
}, { timeout: 240_000 });

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the tarball holds the build, bin, README, LICENSE and CHANGELOG: no tests, no TypeScript sources', () => {
  for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/server.js', 'dist/lambda.js', 'dist/http.js', 'bin/skein.js', 'README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']) {
    assert.ok(packed.includes(file), `${file} is in the tarball`);
  }
  const misplaced = packed.filter((p) => !/^(dist\/|bin\/skein\.js$|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(p) || /\.test\.|\.tsbuildinfo$/.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts')));
  assert.deepEqual(misplaced, []);
});

test('plain node imports every entry and requires skein, with no loader: a counter on the installed skein dso', { timeout: 60_000 }, async () => {
  const dso = spawn(process.execPath, [join(dir, 'node_modules/.bin/skein'), 'dso', '--port', '0'], { cwd: dir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const [, url] = (await waitForLine(dso, /listening on (skein:\/\/\S+)/)) as RegExpMatchArray & [string, string];
    const plain = await inProject(process.execPath, ['plain.mjs', url]);
    assert.deepEqual(JSON.parse(plain.stdout), { counts: [1, 2], taskModule: true, http: 401, badEvent: 'TypeError' });
  } finally {
    dso.kill('SIGTERM');
    await exited(dso);
  }
  const required = await inProject(process.execPath, ['required.cjs']);
  assert.deepEqual(JSON.parse(required.stdout), ['function', 'function', 'function', 'function']);
});

test("the user's tsc type-checks code that uses every entry against the shipped declarations (skipLibCheck off)", { timeout: 60_000 }, async () => {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const { stdout } = await inProject(process.execPath, [tsc, '-p', 'tsconfig.json']).catch((err: { stdout: string }) => {
    assert.fail(`tsc failed:\n${err.stdout}`);
  });
  assert.equal(stdout, '');
});

test('the installed skein runs a TypeScript app on worker threads and on processes; --help; the commands that need the AWS SDK say in one line how to install it', { timeout: 90_000 }, async () => {
  const expected = { read: ['1: read beside its module', '2: read beside its module', '3: read beside its module'], visits: 3, named: 'named its module' };
  const [local, processes, help, deploy, lambda] = await Promise.all([
    installedSkein(['run', 'app.ts']),
    installedSkein(['run', 'app.ts', '--backend', 'process', '--workers', '2']),
    installedSkein(['--help']),
    installedSkein(['deploy', 'lambda', 'app.ts', '--name', 'user-app', '--dso', 'skein://127.0.0.1:7070']),
    installedSkein(['run', 'app.ts', '--backend', 'lambda', '--function', 'user-app']),
  ]);
  assert.equal(local.code, 0, local.stderr);
  assert.deepEqual(JSON.parse(local.stdout), expected);
  assert.equal(processes.code, 0, processes.stderr);
  assert.deepEqual(JSON.parse(processes.stdout), expected);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^usage: skein <command>/);
  for (const missing of [deploy, lambda]) {
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /needs @aws-sdk\/client-lambda, which is not installed: npm install @aws-sdk\/client-lambda\n$/);
    assert.equal(missing.stderr.trimEnd().split('\n').length, 1, missing.stderr);
  }
});

test("in a Lambda bundle of the installed package, a task's module is the bundle itself", { timeout: 60_000 }, async () => {
  const { stdout } = await inProject(process.execPath, ['lambda-bundle.mjs']);
  assert.deepEqual(JSON.parse(stdout), { handler: 'function', taskModule: pathToFileURL(join(dir, 'lambda/index.mjs')).href });
});
