import { describe } from '../errors/describe-value.ts';
import { park } from './monitor.ts';
import { defineType } from './object-type.ts';
import { badArgs, str } from './validate.ts';

/** Where a node of a run stands. */
export type DagNodeStatus = 'waiting' | 'running' | 'done' | 'failed';

/** A node's failure as the run records it: which node, and what it threw. */
export interface DagFailure {
  readonly node: string;
  readonly name: string;
  readonly message: string;
  readonly stack: string;
  readonly code?: string;
}

/**
 * How a run ended, as `result` answers it: the sink's value, or the first failure. `session` is
 * the run's session as its functions left it (merged over every node), when it has one.
 */
export type DagOutcome = ({ readonly ok: true; readonly value: unknown } | ({ readonly ok: false } & DagFailure)) & {
  readonly session?: unknown;
};

/** A node made ready by `finished`: its id and its upstreams' results, in its `after` order. */
export type ReadyNode = [node: string, inputs: unknown[]];

/** What `finished` answers: the nodes to start now, and the run's session to start them in. */
export interface Finished {
  readonly ready: ReadyNode[];
  readonly session?: unknown;
}

/**
 * Node-side state of one DAG run (`skein:dag:<runId>`): each node's status, the results a
 * downstream node still waits for, the run's session merged over its functions, and how the run
 * ended. `finished` is the one place that decides a node is ready, so exactly one finisher starts
 * each node; a failure is recorded once, and from then on nothing new starts.
 */
export class DagRunState {
  readonly after = new Map<string, string[]>();
  readonly below = new Map<string, string[]>();
  readonly status = new Map<string, DagNodeStatus>();
  /** Results of finished nodes that a node not yet started needs. */
  readonly results = new Map<string, unknown>();
  sink = '';
  outcome: DagOutcome | undefined = undefined;
  /** The run's session as its finished functions left it (a `SessionWire`), if it has one. */
  session: unknown[] | undefined = undefined;

  /** `graph` lists each node with its upstreams; sources start `running` (their caller starts them). */
  constructor(graph: unknown, session: unknown) {
    if (!Array.isArray(graph) || graph.length === 0) throw badArgs(`a DAG run needs its nodes, got ${describe(graph)}`);
    for (const entry of graph) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) throw badArgs(`not a DAG node: ${describe(entry)}`);
      const [id, after] = entry as [string, unknown[]];
      this.after.set(id, after.map((u) => str(u, 'after')));
      this.below.set(id, []);
      this.status.set(id, after.length === 0 ? 'running' : 'waiting');
    }
    for (const [id, after] of this.after) {
      for (const u of after) {
        const list = this.below.get(u);
        if (!list) throw badArgs(`node '${id}' runs after '${u}', which is not a node`);
        list.push(id);
      }
    }
    for (const [id, below] of this.below) if (below.length === 0) this.sink = id;
    if (session !== null && session !== undefined) {
      if (!Array.isArray(session)) throw badArgs(`not a session: ${describe(session)}`);
      this.session = session;
    }
  }

  /**
   * Records that `node` finished with `result`, merges the session it ran in into the run's, and
   * answers the nodes now ready (each marked `running`: its caller starts it) with the run's
   * session. The sink's result ends the run. After a failure nothing is ready.
   */
  finished(node: unknown, result: unknown, session: unknown): Finished {
    const id = this.node(node);
    if (this.status.get(id) !== 'running') throw badArgs(`node '${id}' is ${this.status.get(id)}, not running`);
    this.status.set(id, 'done');
    this.merge(session);
    if (this.outcome) return { ready: [] };
    if (id === this.sink) {
      this.outcome = { ok: true, value: result };
      return { ready: [] };
    }
    const ready: ReadyNode[] = [];
    for (const d of this.below.get(id)!) {
      const after = this.after.get(d)!;
      if (this.status.get(d) !== 'waiting' || !after.every((u) => u === id || this.status.get(u) === 'done')) continue;
      this.status.set(d, 'running');
      ready.push([d, after.map((u) => (u === id ? result : this.results.get(u)))]);
    }
    // Keep a result only while a node that needs it has not started.
    const waiting = (u: string): boolean => this.below.get(u)!.some((d) => this.status.get(d) === 'waiting');
    if (waiting(id)) this.results.set(id, result);
    for (const [d] of ready) for (const u of this.after.get(d)!) if (!waiting(u)) this.results.delete(u);
    return this.session ? { ready, session: this.session } : { ready };
  }

  /** Records that `node` failed; the first failure ends the run, later ones change nothing. Answers whether this one counted. */
  failed(node: unknown, name: unknown, message: unknown, stack: unknown, code: unknown): boolean {
    const id = this.node(node);
    const failure: DagFailure = {
      node: id,
      name: str(name, 'name'),
      message: str(message, 'message'),
      stack: str(stack, 'stack'),
      ...(typeof code === 'string' ? { code } : {}),
    };
    if (this.status.get(id) === 'running') this.status.set(id, 'failed');
    if (this.outcome) return false;
    this.outcome = { ok: false, ...failure };
    this.results.clear();
    return true;
  }

  /** Waits for the run to end; answers its outcome (with the run's session). */
  result(): DagOutcome | ReturnType<typeof park> {
    if (!this.outcome) return park();
    return this.session ? { ...this.outcome, session: this.session } : this.outcome;
  }

  /** The run's state and each node's status, in definition order. */
  state(): { state: 'running' | 'done' | 'failed'; nodes: Record<string, DagNodeStatus>; failed?: string } {
    const state = !this.outcome ? 'running' : this.outcome.ok ? 'done' : 'failed';
    return {
      state,
      nodes: Object.fromEntries(this.status),
      ...(this.outcome && !this.outcome.ok ? { failed: this.outcome.node } : {}),
    };
  }

  private node(node: unknown): string {
    const id = str(node, 'node');
    if (!this.status.has(id)) throw badArgs(`this DAG run has no node '${id}'`);
    return id;
  }

  /**
   * Merges a session as a function left it (`[id, level, floors, pinned, readThrough]`) into the
   * run's: the highest floor of each key, every pinned key. A node that starts later reads what
   * all the functions before it wrote and read.
   */
  private merge(wire: unknown): void {
    if (!this.session || !Array.isArray(wire) || !Array.isArray(wire[2]) || !Array.isArray(wire[3])) return;
    const floors = new Map(this.session[2] as Array<[string, number]>);
    for (const [key, version] of wire[2] as Array<[string, number]>) if (!(floors.get(key)! >= version)) floors.set(key, version);
    const pinned = new Map(this.session[3] as Array<[string, string]>);
    for (const [key, type] of wire[3] as Array<[string, string]>) pinned.set(key, type);
    this.session = [this.session[0], this.session[1], [...floors], [...pinned], this.session[4] === true || wire[4] === true];
  }
}

/** The `DagRun` type: the state of one run of a DAG (see `src/compose/dag.ts`). */
export const DagRunType = defineType(
  'DagRun',
  DagRunState,
  {
    finished: { arity: [3, 3] },
    failed: { arity: [5, 5] },
    result: { readonly: true, arity: [0, 0] },
    state: { readonly: true, arity: [0, 0] },
  },
  { initArity: [2, 2], atomic: true },
);
