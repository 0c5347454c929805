import { SkeinError } from './skein-error.ts';

/**
 * A DAG's definition breaks a rule (`dag()` checks them all before it returns): a node needs a
 * task made by `task()`; `after` names other nodes of the DAG, each once; `args` is an array of
 * values that can travel; the graph has no cycle, exactly one sink (a node no other runs after)
 * and is connected. The message names the DAG, the node and the rule.
 */
export class DagError extends SkeinError {
  constructor(message: string) {
    super('EDAG_INVALID', message);
  }
}
