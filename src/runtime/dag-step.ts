import type { CallTarget, Client } from '../client/client.ts';
import { configuredDefaultClient } from '../client/default-client.ts';
import { decodeEnvelope } from './envelope.ts';

/** A node of a DAG as it travels: `[id, task, module, args, after]`. */
export type DagNodeWire = [id: string, task: string, module: string, args: unknown[], after: string[]];

/**
 * What an envelope carries when its thread is a node of a DAG run: the run (the key of its
 * `DagRun` object on the DSO), the node, and the whole DAG, so the function that finishes a node
 * can start the nodes after it from where it ran.
 */
export interface DagStep {
  readonly run: string;
  readonly node: string;
  readonly nodes: readonly DagNodeWire[];
}

/**
 * What the invocation that started a DAG source answers: `{ sink }` when the run's sink ran in
 * that same invocation (a chain run in place), so the caller has the result without waiting for
 * the run's object; `null` otherwise.
 */
export type SourceResult = { readonly sink: unknown } | null;

/** The key of a run's object on the DSO. */
export function runKey(runId: string): string {
  return `skein:dag:${runId}`;
}

/**
 * The run's object as a call target. Every call carries the run's graph and first session as
 * init args: whichever call reaches the node first (the caller's, or a finished source's) creates
 * the object, so the caller need not wait for its creation before starting the sources.
 */
export function runTarget(step: Pick<DagStep, 'run' | 'nodes'>, session: unknown = null): CallTarget {
  const graph = step.nodes.map(([id, , , , after]) => [id, after]);
  return { type: 'DagRun', key: step.run, init: [graph, session], forceNew: false, initSent: false };
}

/**
 * The argument a node's task receives: the list `[...args, ...inputs]` (a source's inputs are
 * `[input]`, another node's its upstreams' results in `after` order), or, when that list has
 * exactly one element, that element itself. The shape depends on the DAG's definition only.
 */
export function nodeArgument(args: readonly unknown[], inputs: readonly unknown[]): unknown {
  const all = [...args, ...inputs];
  return all.length === 1 ? all[0] : all;
}

/** Records on the run that `node` failed with `err` (the first failure counts, later ones change nothing). */
export function recordFailure(client: Client, step: Pick<DagStep, 'run' | 'nodes'>, node: string, err: unknown): Promise<unknown> {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return client.call(runTarget(step), 'failed', [node, e.name, e.message, e.stack ?? `${e.name}: ${e.message}`, typeof code === 'string' ? code : null]);
}

/**
 * Runs an envelope a worker asked its parent to start (a node of a DAG run, made ready where an
 * upstream ran). Its outcome is on the run's object; a failure of the backend itself (a crashed
 * worker, a timeout) is recorded there as the node's failure. Resolves (never rejects) once the
 * invocation has answered and any such failure is recorded.
 */
export function relayStep(invoke: (envelope: Uint8Array, threadId: string) => Promise<Uint8Array>, envelope: Uint8Array): Promise<void> {
  const env = decodeEnvelope(envelope);
  return invoke(envelope, env.threadId)
    .then(
      () => undefined,
      (err: unknown) => {
        const client = configuredDefaultClient();
        if (env.dag && client) return recordFailure(client, env.dag, env.dag.node, err);
        return undefined;
      },
    )
    .then(
      () => undefined,
      () => undefined,
    );
}
