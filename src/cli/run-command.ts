import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { RemoteError } from '../errors/remote-error.ts';
import { SkeinError } from '../errors/skein-error.ts';
import { splitStack } from '../errors/stack-frames.ts';
import { APP_BUNDLE_ENV, appBundle, isTypeScript } from '../runtime/app-bundle.ts';
import type { BackendName } from '../runtime/backend.ts';
import { importDependency } from '../runtime/optional-dependency.ts';
import { configureRuntime, onThreadCounts, prestartRuntime, shutdownRuntime } from '../runtime/runtime.ts';
import type { DsoNode } from '../server/node.ts';
import { dsoOption, intOption, parseCommandLine } from './options.ts';
import { UsageError } from './usage-error.ts';

/** Help text of `skein run`. */
export const RUN_USAGE = `usage: skein run <entry.ts> [options]

Runs an app: imports <entry.ts> (TypeScript runs as it is), calls its default export (main) and
prints what main returns. Its cloud threads run on the backend; they share objects in the DSO
(--dso), or in a node this command starts in-process when none is given.

options:
  --backend B          where threads run: local (worker threads, default), process, lambda
                       (AWS Lambda, see skein deploy) or http (an HTTP function running skein/http)
  --workers N          workers: threads for local (default: cores), processes for process
                       (default 64), invocations in flight for lambda and http (default 100)
  --min-workers N      process backend: processes kept warm however idle (default 0)
  --idle-ms N          process backend: retire a process idle this long (default 30000), down
                       to --min-workers; skein inspect shows each app's processes
  --timeout-ms N       process backend: kill a thread running longer than this; http: give up
  --function F         lambda backend: the function (name or ARN)
  --region R           lambda backend: AWS region (default the SDK's)
  --endpoint URL       lambda backend: another endpoint than AWS's (an emulator)
  --url URL            http backend: the function's URL
  --dso URL            use this DSO, skein://host:port (default: SKEIN_DSO, else an embedded node);
                       the app and its thread counts show in skein dashboard
  --token T            DSO token (default: SKEIN_TOKEN)
  -h, --help           print this help

Exit codes: 0 when main resolves, 1 when it throws (the error is printed: a thread's or a shared
object's with the remote stack), 2 for a wrong command line.`;

const BACKENDS: readonly BackendName[] = ['local', 'process', 'lambda', 'http'];

/**
 * `skein run`: points the default client at a DSO (an embedded node when none is given; a given
 * one that cannot be reached rejects before the app is loaded), picks the thread backend, imports
 * the entry (a TypeScript entry as one bundle of the app's modules, which the threads load too:
 * see `appBundle`), calls its default export and prints what it returns. Resolves with 1 when
 * loading the entry or main fails, having printed what failed once (a `RemoteError` with where it
 * came from and its remote stack). A bad command line throws a {@link UsageError}.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      backend: { type: 'string' },
      workers: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'min-workers': { type: 'string' },
      'idle-ms': { type: 'string' },
      function: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      url: { type: 'string' },
      dso: { type: 'string' },
      token: { type: 'string' },
    },
    true,
  );
  const [entry, ...extra] = positionals;
  if (!entry) throw new UsageError('no entry file given, e.g. skein run examples/montecarlo.ts');
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const path = resolve(entry);
  if (!existsSync(path)) throw new UsageError(`entry file not found: ${entry}`);
  const backend = (values.backend ?? 'local') as BackendName;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${backend}'`);
  const workers = intOption(values.workers, 'workers', { min: 1 });
  const timeoutMs = intOption(values['timeout-ms'], 'timeout-ms', { min: 1 });
  const minWorkers = intOption(values['min-workers'], 'min-workers', { min: 0 });
  const idleMs = intOption(values['idle-ms'], 'idle-ms', { min: 1 });
  if ((minWorkers !== undefined || idleMs !== undefined) && backend !== 'process') {
    throw new UsageError(`--${minWorkers !== undefined ? 'min-workers' : 'idle-ms'} goes with --backend process (it keeps warm processes)`);
  }
  if (minWorkers !== undefined && minWorkers > (workers ?? 64)) throw new UsageError(`--min-workers (${minWorkers}) is more than --workers (${workers ?? 64})`);
  if (timeoutMs !== undefined && backend !== 'process' && backend !== 'http') {
    throw new UsageError(
      backend === 'lambda'
        ? "--timeout-ms does not apply to --backend lambda: the function's timeout is set at deploy (skein deploy lambda --timeout S)"
        : '--timeout-ms needs --backend process (a worker thread cannot be stopped alone)',
    );
  }
  if ((backend === 'lambda') !== (values.function !== undefined)) {
    throw new UsageError(backend === 'lambda' ? '--backend lambda needs --function F' : '--function goes with --backend lambda');
  }
  for (const flag of ['region', 'endpoint'] as const) {
    if (values[flag] !== undefined && backend !== 'lambda') throw new UsageError(`--${flag} goes with --backend lambda`);
  }
  if ((backend === 'http') !== (values.url !== undefined)) {
    throw new UsageError(backend === 'http' ? '--backend http needs --url URL' : '--url goes with --backend http');
  }

  // The lambda backend's SDK is an optional package: a missing one is said in one line, up front.
  if (backend === 'lambda') await importDependency('@aws-sdk/client-lambda', 'skein run --backend lambda');
  // Loaded only now: help and usage errors need no node and no client.
  const { Client } = await import('../client/client.ts');
  const { setDefaultClient } = await import('../client/default-client.ts');
  const { startNode } = await import('../server/node.ts');
  const { reportApp } = await import('../runtime/app-report.ts');
  const app = isTypeScript(path) ? await appBundle(path) : undefined;
  if (app) {
    // Threads load the bundle for the app's modules; stack traces point at the sources.
    process.env[APP_BUNDLE_ENV] = app.url;
    process.setSourceMapsEnabled(true);
  }
  // esbuild compiles the app in a process of its own while this thread starts the node and the
  // workers; the outcome is awaited (and a failure reported) before the app is imported.
  const built = app?.build();
  built?.catch(() => undefined);

  let node: DsoNode | undefined;
  let url = dsoOption(values.dso);
  const token = values.token ?? process.env.SKEIN_TOKEN;
  if (!url) {
    node = await startNode({ logLevel: 'warn', objects: 'registered' });
    url = node.url;
  }
  // Children (process backend) and worker threads inherit the DSO through the environment.
  process.env.SKEIN_DSO = url;
  if (token) process.env.SKEIN_TOKEN = token;
  const client = new Client({ url, ...(token ? { token } : {}) });
  if (!node) {
    // A DSO that cannot be reached (or refuses the token) is said once, before the app starts.
    try {
      await client.ready();
    } catch (err) {
      await client.close();
      throw err;
    }
  }
  setDefaultClient(client);
  configureRuntime({
    backend,
    ...(workers ? { workers } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(minWorkers !== undefined ? { minWorkers } : {}),
    ...(idleMs !== undefined ? { idleMs } : {}),
    ...(values.function ? { functionName: values.function } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.url ? { url: values.url } : {}),
  });
  prestartRuntime();
  const stopProgress = process.stderr.isTTY ? showProgress() : () => undefined;
  let stage = `loading ${entry} failed`;
  // A DSO of its own is one `skein dashboard` can watch: the app shows there with its threads.
  const report = node ? undefined : reportApp(client, entry);
  let outcome: 'ok' | 'failed' = 'failed';
  try {
    await built;
    const mod = (await import(app?.url ?? pathToFileURL(path).href)) as { default?: unknown };
    if (typeof mod.default !== 'function') {
      throw new UsageError(`${entry} has no default export function; export default async function main() { ... }`);
    }
    stage = 'main failed';
    const result = await (mod.default as () => unknown)();
    stopProgress();
    if (result !== undefined) {
      process.stdout.write(`${typeof result === 'string' ? result : inspect(result, { depth: 6, colors: process.stdout.isTTY })}\n`);
    }
    outcome = 'ok';
    return 0;
  } catch (err) {
    stopProgress();
    if (err instanceof UsageError) throw err;
    process.stderr.write(`skein run: ${stage}: ${describeFailure(err, client.callSites)}\n`);
    return 1;
  } finally {
    await shutdownRuntime();
    await report?.finish(outcome);
    await client.close();
    setDefaultClient(undefined);
    await node?.close();
    await app?.remove();
  }
}

/** Skein's own sources: frames there are not the app's. */
const SKEIN_SOURCES = [fileURLToPath(new URL('..', import.meta.url)), new URL('..', import.meta.url).href];

/**
 * What was thrown, said once: the error's name and message (for a `RemoteError`, where it came
 * from and the remote error's name), then its frames, then the remote stack's frames. Frames in
 * Skein's own code or node's are left out of a Skein error (what is left is the app's call site;
 * when nothing is and `callSites` is off, a line says how to see it); any other error is a bug
 * somewhere and keeps them all.
 */
function describeFailure(err: unknown, callSites: boolean): string {
  if (!(err instanceof Error)) return `threw ${inspect(err)}`;
  const { header, frames } = splitStack(err.stack ?? `${err.name}: ${err.message}`);
  const own = err instanceof SkeinError ? frames.filter((f) => !f.includes('(node:') && !SKEIN_SOURCES.some((s) => f.includes(s))) : frames;
  const lines =
    err instanceof RemoteError ? [`RemoteError${err.origin ? ` from ${err.origin}` : ''}: ${err.remoteName}: ${err.message}`, ...own] : [header, ...own];
  if (own.length === 0 && !callSites) lines.push('(SKEIN_CALL_SITES=1 shows the line of the app that made the failing call)');
  const remote = err instanceof RemoteError && err.remoteStack ? splitStack(err.remoteStack).frames : [];
  if (remote.length > 0) lines.push('remote stack:', ...remote);
  return lines.join('\n');
}

/**
 * A one-line progress display on stderr (TTY only): threads done / spawned. Draws at once on the
 * first change, then at most every 100 ms.
 */
function showProgress(): () => void {
  let last = '';
  let pending: NodeJS.Timeout | undefined;
  let drawnAt = 0;
  let latest = { spawned: 0, done: 0, failed: 0 };
  const draw = (): void => {
    pending = undefined;
    drawnAt = Date.now();
    const line = `threads: ${latest.done + latest.failed}/${latest.spawned} done${latest.failed ? `, ${latest.failed} failed` : ''}`;
    if (line !== last) process.stderr.write(`\r${line}\x1b[K`);
    last = line;
  };
  const off = onThreadCounts((c) => {
    latest = { ...c };
    if (pending) return;
    const wait = drawnAt + 100 - Date.now();
    if (wait <= 0) draw();
    else (pending = setTimeout(draw, wait)).unref();
  });
  return () => {
    off();
    if (pending) clearTimeout(pending);
    if (last) process.stderr.write('\r\x1b[K');
  };
}
