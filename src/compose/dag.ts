import { randomBytes } from 'node:crypto';
import type { Task } from '../api/task.ts';
import { defaultClient } from '../client/default-client.ts';
import { makeSession, type Consistency, type Session, type SessionWire } from '../client/session.ts';
import { DagError } from '../errors/dag-error.ts';
import { DagNodeError } from '../errors/dag-node-error.ts';
import { RemoteError } from '../errors/remote-error.ts';
import type { DagNodeStatus, DagOutcome } from '../objects/dag-run.ts';
import { nodeArgument, recordFailure, runKey, runTarget, type DagNodeWire, type SourceResult } from '../runtime/dag-step.ts';
import { launch } from '../runtime/launch.ts';
import { runtimeBackend } from '../runtime/runtime.ts';
import { checkSerializable } from '../runtime/serializable.ts';
import { findTask } from '../runtime/task-registry.ts';

/** A node of a DAG: the task it runs, the nodes it runs after, and fixed arguments. */
export interface DagNode {
  /** A task made by `task()`. */
  readonly task: Task<any, unknown>;
  /** The nodes whose results it takes, in this order; none for a source (which takes the input). */
  readonly after?: readonly string[];
  /** Values passed before the upstream results (default none). */
  readonly args?: readonly unknown[];
}

/** Options of {@link Dag.start}. */
export interface DagStartOptions {
  /**
   * Runs every function of the run in one session of this level (see `session()`): its lattice
   * reads and writes keep it across the functions, wherever they run. Default: no session
   * (`eventual`).
   */
  consistency?: Consistency;
}

/** Options of {@link Dag.call}. */
export interface DagCallOptions extends DagStartOptions {
  /** Give up waiting after this many ms with a `TimeoutError`; the run goes on, its state kept. */
  timeoutMs?: number;
}

/** Where a run stands: the run's state and each node's, in definition order. */
export interface DagRunStatus {
  readonly state: 'running' | 'done' | 'failed';
  readonly nodes: Readonly<Record<string, DagNodeStatus>>;
  /** The node whose failure failed the run. */
  readonly failed?: string;
}

/** One run of a DAG, started by {@link Dag.start}. */
export interface DagRun<R> {
  /** The run's id (its state is the shared object `skein:dag:<id>`). */
  readonly id: string;
  /**
   * Waits for the run to end (a call parked on its object, no polling) and resolves to the sink's
   * result; rejects with `DagNodeError` if a node failed, `TimeoutError` after `timeoutMs` (the run
   * goes on and `result()` may be called again). When the run ends, its session (if any) is
   * ended, after this process has taken in what the run's functions saw.
   */
  result(opts?: { timeoutMs?: number }): Promise<R>;
  /** The run's state and each node's status now. */
  status(): Promise<DagRunStatus>;
}

/** A validated DAG of tasks (see {@link dag}). */
export interface Dag<I, R> {
  /** The DAG's name, for messages. */
  readonly name: string;
  /**
   * Starts a run with `input` and returns at once. `input` (like every node's `args`) must be a
   * msgpack value; anything else throws a `SerializationError` here.
   */
  start(input: I, opts?: DagStartOptions): DagRun<R>;
  /** `start(input, opts).result(opts)`, except that what `start` would throw rejects. */
  call(input: I, opts?: DagCallOptions): Promise<R>;
}

/**
 * Defines a DAG of tasks, checked now: every node's `task` was made by `task()`, every `after`
 * names another node (each once), the graph has no cycle, exactly one sink and is connected;
 * otherwise a `DagError`.
 *
 * **What a node receives.** A node's task takes one argument: the list `[...args, ...inputs]`,
 * where a source's inputs are `[input]` and another node's are its upstreams' results in `after`
 * order; when that list has exactly one element, the task receives the element itself. So in a
 * chain of one-argument tasks each receives the previous result as it is, and a fan-in node with
 * two upstreams receives `[a, b]`. The shape follows from the definition, never from the values.
 *
 * **Where it runs.** A run's nodes are cloud threads on the runtime's backend (`configureRuntime`,
 * `skein run --backend`). The caller starts the sources; a node that finishes tells the run's
 * object (on the DSO), which answers, atomically, the nodes now ready (a fan-in node once all its
 * upstreams finished); the worker then runs the first of them in place (the result passes in
 * memory: a chain is one invocation) and has the others started on other workers, their inputs in
 * their envelopes. Results never pass through the caller: it receives the sink's only. A run's
 * nodes run once each (a task's `retries` do not apply); the first failure fails the run and no
 * node starts after it.
 *
 * ```ts
 * const inc = task('inc', (x: number) => x + 1);
 * const sq = task('sq', (x: number) => x * x);
 * const add = task('add', ([a, b]: [number, number]) => a + b);
 * const d = dag('pipeline', { a: { task: inc }, b: { task: sq, after: ['a'] }, c: { task: inc, after: ['a'] }, out: { task: add, after: ['b', 'c'] } });
 * await d.call(1); // (2 * 2) + (2 + 1) = 7
 * ```
 */
export function dag<I = unknown, R = unknown>(name: string, nodes: Readonly<Record<string, DagNode>>): Dag<I, R> {
  const wire = validate(name, nodes);
  const sources = wire.filter((n) => n[4].length === 0);
  // A chain (one source, every node after at most one and before at most one) runs whole in its
  // source's invocation, which answers the sink's result: the caller asks the run's object only
  // when that invocation brings none (a node failed).
  const chain = sources.length === 1 && wire.every(([id, , , , after]) => after.length <= 1 && wire.filter((n) => n[4].includes(id)).length <= 1);

  const start = (input: I, opts: DagStartOptions = {}): DagRun<R> => {
    checkSerializable(input, 'input');
    const session = opts.consistency === undefined ? undefined : makeSession({ consistency: opts.consistency });
    const id = randomBytes(12).toString('base64url');
    const key = runKey(id);
    const client = defaultClient();
    const step = { run: runKey(id), nodes: wire };
    const origin = (node: string): string => `node '${node}' of DAG '${name}' (run ${id})`;
    const initial = session ? session.toWire() : null;
    // A source whose invocation ran the whole way to the sink (a chain, in place) answers the
    // sink's result itself: the caller need not wait for the run's object.
    let fromSource!: (out: DagOutcome) => void;
    let sinkKnown = false;
    const sinkHere = new Promise<DagOutcome>((resolve) => (fromSource = resolve)).finally(() => (sinkKnown = true));
    // For a chain: resolves once its source's invocation ended, with whether it brought the result.
    let sourceEnded!: (brought: boolean) => void;
    const sourceDone = new Promise<boolean>((resolve) => (sourceEnded = resolve));
    const backend = runtimeBackend();
    // On a FaaS backend, the function that runs a node starts the next ones as invocations of itself.
    const via = backend.address;
    for (const [node, taskName, module, args] of sources) {
      const launched = launch(backend, { module, task: taskName, arg: nodeArgument(args, [input]), dag: { ...step, node }, ...(via ? { via } : {}) }, 0, session);
      launched.result.then(
        (value) => {
          const out = value as SourceResult;
          const brought = out !== null && typeof out === 'object' && 'sink' in out;
          if (brought) fromSource({ ok: true, value: out.sink });
          sourceEnded(brought);
        },
        // A failure of the node itself is on the run already; one of its worker is recorded here.
        (err: unknown) =>
          recordFailure(client, step, node, err)
            .catch(() => undefined)
            .finally(() => sourceEnded(false)),
      );
    }

    const result = async (waitOpts: { timeoutMs?: number } = {}): Promise<R> => {
      let out: DagOutcome;
      if (chain && waitOpts.timeoutMs === undefined && (await sourceDone)) out = await sinkHere;
      else {
        const parked = client.call(runTarget(step, initial), 'result', [], waitOpts.timeoutMs) as Promise<DagOutcome>;
        out = await Promise.race([parked, sinkHere]);
        parked.catch(() => undefined);
      }
      if (session) {
        if (out.session) session.absorb(out.session as SessionWire);
        await session.end();
      }
      if (out.ok) return out.value as R;
      const cause = new RemoteError(out.name, out.message, out.stack, out.code, origin(out.node));
      throw new DagNodeError(out.node, `${origin(out.node)} failed: ${out.name}: ${out.message}`, cause);
    };
    const status = async (): Promise<DagRunStatus> => {
      // The sink's result came back with its invocation: the run's object is told too, perhaps not
      // yet. Its status must not look older than what the caller already has.
      if (sinkKnown) await client.call(runTarget(step, initial), 'result', []).catch(() => undefined);
      return (await client.call(runTarget(step, initial), 'state', [])) as DagRunStatus;
    };
    return { id, result, status };
  };

  const call = (input: I, opts: DagCallOptions = {}): Promise<R> => {
    try {
      const run = start(input, opts.consistency === undefined ? {} : { consistency: opts.consistency });
      return run.result(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return { name, start, call };
}

/** Checks a DAG's definition (see {@link dag}) and answers its nodes as they travel, in definition order. */
function validate(name: string, nodes: Readonly<Record<string, DagNode>>): DagNodeWire[] {
  if (typeof name !== 'string' || name.length === 0) throw new DagError('a DAG needs a non-empty name');
  const fail = (message: string): never => {
    throw new DagError(`DAG '${name}': ${message}`);
  };
  if (nodes === null || typeof nodes !== 'object' || Array.isArray(nodes)) fail('nodes must be an object of { id: { task, after?, args? } }');
  const ids = Object.keys(nodes);
  if (ids.length === 0) fail('a DAG needs at least one node');
  const wire: DagNodeWire[] = [];
  for (const id of ids) {
    const n = nodes[id] as DagNode | undefined;
    if (n === null || typeof n !== 'object') fail(`node '${id}' must be an object { task, after?, args? }`);
    const t = n!.task as Partial<Task<unknown, unknown>> | undefined;
    if (t === null || typeof t !== 'object' || typeof t.name !== 'string' || t.definition === undefined || findTask(t.name) !== t.definition) {
      fail(`node '${id}' needs a task made by task()`);
    }
    const after = n!.after ?? [];
    if (!Array.isArray(after)) fail(`node '${id}': after must be an array of node ids`);
    for (const u of after) {
      if (typeof u !== 'string' || !(u in nodes) || !Object.hasOwn(nodes, u)) fail(`node '${id}' runs after ${JSON.stringify(u)}, which is not a node of the DAG`);
      if (u === id) fail(`node '${id}' runs after itself (a cycle)`);
    }
    if (new Set(after).size !== after.length) fail(`node '${id}' names an upstream twice in after`);
    const args = n!.args ?? [];
    if (!Array.isArray(args)) fail(`node '${id}': args must be an array`);
    checkSerializable(args, `args of node '${id}'`);
    wire.push([id, t!.name!, t!.definition!.module, [...args], [...after]]);
  }
  // Kahn's order: what is left once no node without pending upstreams remains is on a cycle.
  const pending = new Map(wire.map(([id, , , , after]) => [id, after.length]));
  const below = new Map<string, string[]>(wire.map(([id]) => [id, []]));
  for (const [id, , , , after] of wire) for (const u of after) below.get(u)!.push(id);
  const ready = ids.filter((id) => pending.get(id) === 0);
  for (let i = 0; i < ready.length; i++) {
    for (const d of below.get(ready[i]!)!) {
      const left = pending.get(d)! - 1;
      pending.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (ready.length < ids.length) fail(`it has a cycle through ${ids.filter((id) => pending.get(id)! > 0).map((id) => `'${id}'`).join(', ')}`);
  // With no cycle, every node leads down to a sink: one sink means one connected DAG.
  const sinks = ids.filter((id) => below.get(id)!.length === 0);
  if (sinks.length !== 1) {
    fail(`it has ${sinks.length} sinks (${sinks.map((id) => `'${id}'`).join(', ')}); a DAG needs exactly one (a node no other runs after), which also makes it connected: each part apart from the rest ends in a sink of its own`);
  }
  return wire;
}
