import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect, parseArgs } from 'node:util';
import { RemoteError } from '../errors/remote-error.ts';
import { APP_BUNDLE_ENV, appBundle, isTypeScript } from '../runtime/app-bundle.ts';
import type { BackendName } from '../runtime/backend.ts';
import { importDependency } from '../runtime/optional-dependency.ts';
import { configureRuntime, onThreadCounts, prestartRuntime, shutdownRuntime } from '../runtime/runtime.ts';
import type { DsoNode } from '../server/node.ts';
import { UsageError } from './usage-error.ts';

/** Help text of `skein run`. */
export const RUN_USAGE = `skein run <entry.ts> [options]   run an app: its default export is main

  --backend B          where threads run: local (worker threads, default), process, lambda
                       (AWS Lambda, see skein deploy) or http (an HTTP function running skein/http)
  --workers N          workers: threads for local (default: cores), processes for process
                       (default 64), invocations in flight for lambda and http (default 100)
  --timeout-ms N       process backend: kill a thread running longer than this; http: give up
  --function F         lambda backend: the function (name or ARN)
  --region R           lambda backend: AWS region (default the SDK's)
  --endpoint URL       lambda backend: another endpoint than AWS's (an emulator)
  --url URL            http backend: the function's URL
  --dso URL            use this DSO (default: SKEIN_DSO, else an embedded node in this process)
  --token T            DSO token (default: SKEIN_TOKEN)`;

const BACKENDS: readonly BackendName[] = ['local', 'process', 'lambda', 'http'];

/**
 * `skein run`: points the default client at a DSO (an embedded node when none is given), picks the
 * thread backend, imports the entry (a TypeScript entry as one bundle of the app's modules, which
 * the threads load too: see `appBundle`), calls its default export and prints what it returns. A
 * failed thread exits 1 with the thread's remote stack.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string' },
      workers: { type: 'string' },
      'timeout-ms': { type: 'string' },
      function: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      url: { type: 'string' },
      dso: { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  const [entry, ...extra] = positionals;
  if (!entry) throw new UsageError('skein run needs an entry file, e.g. skein run examples/montecarlo.ts');
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const path = resolve(entry);
  if (!existsSync(path)) throw new UsageError(`entry file not found: ${entry}`);
  const backend = (values.backend ?? 'local') as BackendName;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${backend}'`);
  const workers = positiveInt(values.workers, 'workers');
  const timeoutMs = positiveInt(values['timeout-ms'], 'timeout-ms');
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
  let url = values.dso ?? process.env.SKEIN_DSO;
  const token = values.token ?? process.env.SKEIN_TOKEN;
  if (!url) {
    node = await startNode({ logLevel: 'warn', objects: 'registered' });
    url = node.url;
  }
  // Children (process backend) and worker threads inherit the DSO through the environment.
  process.env.SKEIN_DSO = url;
  if (token) process.env.SKEIN_TOKEN = token;
  const client = new Client({ url, ...(token ? { token } : {}) });
  setDefaultClient(client);
  configureRuntime({
    backend,
    ...(workers ? { workers } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(values.function ? { functionName: values.function } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.url ? { url: values.url } : {}),
  });
  prestartRuntime();
  const stopProgress = process.stderr.isTTY ? showProgress() : () => undefined;
  try {
    await built;
    const mod = (await import(app?.url ?? pathToFileURL(path).href)) as { default?: unknown };
    if (typeof mod.default !== 'function') {
      throw new UsageError(`${entry} has no default export function; export default async function main() { ... }`);
    }
    const result = await (mod.default as () => unknown)();
    stopProgress();
    if (result !== undefined) {
      process.stdout.write(`${typeof result === 'string' ? result : inspect(result, { depth: 6, colors: process.stdout.isTTY })}\n`);
    }
    return 0;
  } catch (err) {
    stopProgress();
    if (err instanceof UsageError) throw err;
    reportFailure(err);
    return 1;
  } finally {
    await shutdownRuntime();
    await client.close();
    setDefaultClient(undefined);
    await node?.close();
    await app?.remove();
  }
}

function reportFailure(err: unknown): void {
  if (err instanceof RemoteError) {
    process.stderr.write(`skein run: a thread failed: ${err.remoteName}: ${err.message}\n`);
    if (err.remoteStack) process.stderr.write(`remote stack:\n${err.remoteStack}\n`);
    return;
  }
  const e = err as Error;
  process.stderr.write(`skein run: ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}\n${e?.stack ?? ''}\n`);
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

function positiveInt(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got '${raw}'`);
  return n;
}
