import { configuredDefaultClient, setDefaultClient } from '../client/default-client.ts';
import { Session } from '../client/session.ts';
import { handleFor } from '../client/handle-registry.ts';
import { Client } from '../client/client.ts';
import { APP_BUNDLE_ENV, isTypeScript } from './app-bundle.ts';
import { decodeArg, decodeEnvelope, encodeThreadResult, type ThreadResult, type ReceivedEnvelope } from './envelope.ts';
import { continueRun } from './dag-continue.ts';
import { recordFailure, type DagStep } from './dag-step.ts';
import { checkSerializable } from './serializable.ts';
import { findTask } from './task-registry.ts';
import { runAsThread } from './thread-id.ts';

let bound: { dso: string; token: string | undefined; client: Client } | undefined;

/** Points the default client of this worker at the envelope's DSO (reused across invocations). */
function bindDefaultClient(env: ReceivedEnvelope): void {
  if (!env.dso) return;
  if (bound && bound.dso === env.dso && bound.token === env.token) return;
  void bound?.client.close();
  const client = new Client({ url: env.dso, ...(env.token ? { token: env.token } : {}) });
  bound = { dso: env.dso, token: env.token, client };
  setDefaultClient(client);
}

// import() goes through the loader (and tsx's hooks) even for a cached module: remember them.
const modules = new Map<string, Promise<Record<string, unknown>>>();

/**
 * The module to import for `module`. Under `skein run` with a TypeScript entry, the app's
 * TypeScript modules are in its bundle (a task named with `{ module: import.meta.url }` names its
 * source file): the bundle is imported instead.
 */
function moduleToLoad(module: string): string {
  const bundle = process.env[APP_BUNDLE_ENV];
  return bundle && isTypeScript(module) ? bundle : module;
}

/** Imports a module of the app (see {@link moduleToLoad}); a bundle's stack traces are mapped to its sources. */
function load(module: string): Promise<Record<string, unknown>> {
  const url = moduleToLoad(module);
  let mod = modules.get(url);
  if (!mod) {
    if (process.env[APP_BUNDLE_ENV] && !process.sourceMapsEnabled) process.setSourceMapsEnabled(true);
    mod = import(url) as Promise<Record<string, unknown>>;
    modules.set(url, mod);
    mod.catch(() => modules.delete(url));
  }
  return mod;
}

/**
 * Finds the function an envelope names, importing its module first. In a bundle the tasks were
 * registered when the bundle loaded and `module` is a path on the spawning machine: the task is
 * found by name alone, and an export-style envelope (CloudPool), which names no task, is refused.
 */
async function resolveFunction(env: Pick<ReceivedEnvelope, 'module' | 'task' | 'export'>, bundled: boolean): Promise<(arg: unknown) => unknown> {
  if (bundled) {
    if (env.task === undefined) {
      throw new Error(
        `a bundled worker runs tasks only, and this invocation names the export '${env.export ?? 'default'}' of ${env.module}: define the function with task() in a module the bundle's entry imports`,
      );
    }
    const def = findTask(env.task);
    if (!def) throw new Error(`task '${env.task}' is not defined in this bundle; define tasks at the top level of a module the bundle's entry imports`);
    return def.fn;
  }
  const mod = await load(env.module);
  if (env.task !== undefined) {
    const def = findTask(env.task);
    if (!def) {
      throw new Error(
        `task '${env.task}' is not defined in ${env.module} or the modules it imports; define tasks at the top level of a module the entry imports`,
      );
    }
    return def.fn;
  }
  const name = env.export ?? 'default';
  const fallback = mod.default as Record<string, unknown> | ((arg: unknown) => unknown) | undefined;
  const fn = mod[name] ?? (name !== 'default' && fallback && typeof fallback === 'object' ? fallback[name] : undefined);
  if (typeof fn !== 'function') {
    const bundled = moduleToLoad(env.module) !== env.module;
    throw new Error(
      bundled
        ? `${env.module} is TypeScript, which skein run compiles into the app's bundle, and the bundle exports no function '${name}' (only the entry's exports): give a CloudPool a JavaScript module, or define the function with task()`
        : `${env.module} has no exported function '${name}'`,
    );
  }
  return fn as (arg: unknown) => unknown;
}

/** How {@link runInvocation} finds the function to run. */
export interface InvocationOptions {
  /**
   * The worker is a bundle (Lambda) whose own top-level code registered the tasks: do not import
   * the envelope's `module`, find the task by name. Export-style envelopes fail (final).
   */
  readonly bundled?: boolean;
  /**
   * Starts an envelope on another worker of this worker's backend (its parent runs it): how a DAG
   * node finished here starts the nodes after it that it does not run itself. Without it, they
   * all run here.
   */
  readonly relay?: (envelope: Uint8Array) => void;
}

/**
 * Runs one invocation in this worker: decodes the envelope, binds the default client to the
 * envelope's DSO, imports the module (unless `bundled`), decodes the argument (after the import, so
 * handles of the types that module registers become live handles on the worker's default client), runs the task
 * (or each index of its block), and encodes the outcome. Never rejects: any failure, the task's or
 * the envelope's, is an outcome.
 */
export async function runInvocation(bytes: Uint8Array, opts: InvocationOptions = {}): Promise<Uint8Array> {
  let outcome: ThreadResult;
  // Failures outside the task's own code would fail again on a retry: they are final.
  let final = true;
  let session: Session | undefined;
  let asked = (): boolean => false;
  let env: ReceivedEnvelope | undefined;
  // Past the node's own run: a failure now is the run's object out of reach, not the node's.
  let continuing = false;
  try {
    const received = decodeEnvelope(bytes);
    env = received;
    bindDefaultClient(env);
    const fn = await resolveFunction(env, opts.bundled === true);
    const arg = decodeArg(env, (type, key) => handleFor(type, key, undefined));
    session = env.session === undefined ? undefined : Session.fromWire(env.session);
    let value: unknown = null;
    final = false;
    const body = async (): Promise<void> => {
      if (received.block) {
        for (let i = received.block[0]; i < received.block[1]; i++) await fn(i);
      } else {
        value = await fn(arg);
      }
    };
    try {
      const thread = runAsThread(env.threadId, () => (session ? session.run(body) : body()));
      asked = thread.asked;
      await thread.value;
    } finally {
      // Whatever the task wrote reaches the DSO before its result is reported (a write that
      // cannot be made fails the thread, unless the task failed first).
      await configuredDefaultClient()?.flushWrites();
    }
    final = true;
    checkSerializable(value, 'result');
    if (env.dag) {
      // A DAG node's result goes on to the nodes after it; only the sink's, when it ran in this
      // invocation, goes back to whoever started it.
      const dag = env.dag;
      continuing = true;
      value = await continueRun(
        { env: { ...env, dag }, resolve: (task, module) => resolveFunction({ task, module }, opts.bundled === true), ...(opts.relay ? { relay: opts.relay } : {}) },
        dag.node,
        value === undefined ? null : value,
        session,
      );
    }
    outcome = { ok: true, value: value === undefined ? null : value };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (env?.dag && !continuing) await recordNodeFailure(env.dag, err);
    const code = (e as { code?: unknown }).code;
    outcome = {
      ok: false,
      name: e.name,
      message: e.message,
      stack: e.stack ?? `${e.name}: ${e.message}`,
      ...(typeof code === 'string' ? { code } : {}),
      ...(final ? { final: true as const } : {}),
    };
  }
  if (session) outcome = { ...outcome, session: session.toWire() };
  if (asked()) outcome = { ...outcome, mailbox: true };
  try {
    return encodeThreadResult(outcome);
  } catch (err) {
    return encodeThreadResult({ ok: false, name: 'SerializationError', message: `the result cannot be sent: ${(err as Error).message}`, stack: '', final: true });
  }
}

/** Records a DAG node's failure on its run, if the run's object can be reached (else its launcher records it). */
async function recordNodeFailure(step: DagStep, err: unknown): Promise<void> {
  const client = configuredDefaultClient();
  if (client) await recordFailure(client, step, step.node, err).catch(() => undefined);
}
