import { SkeinError } from './skein-error.ts';

/**
 * A node of a DAG run failed, which failed the run: its task threw (then `cause` is a
 * `RemoteError` with the task's error name, message and remote stack), or its worker crashed or
 * ran out of time (`cause` is a `RemoteError` named `WorkerCrashedError` or `TimeoutError`). The
 * nodes already running when it failed finished; no node started after. `node` names it.
 */
export class DagNodeError extends SkeinError {
  /** The id of the node that failed, as the DAG's definition names it. */
  readonly node: string;

  constructor(node: string, message: string, cause: unknown) {
    super('EDAG_NODE', message, { cause });
    this.node = node;
  }
}
