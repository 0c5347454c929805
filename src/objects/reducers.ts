import { describe } from '../errors/describe-value.ts';
import { badArgs } from './validate.ts';

/**
 * A server-side merge: given the current value (undefined when absent) and an incoming one,
 * returns the value to store. Must be synchronous and deterministic, like every method.
 */
export type Reducer = (current: unknown, incoming: unknown) => unknown;

function numeric(name: string, pick: (a: number, b: number) => number): Reducer {
  return (current, incoming) => {
    if (typeof incoming !== 'number') throw badArgs(`reducer '${name}' needs a number, got ${describe(incoming)}`);
    if (current === undefined) return incoming;
    if (typeof current !== 'number') throw badArgs(`reducer '${name}' cannot merge into ${describe(current)}`);
    return pick(current, incoming);
  };
}

const concat: Reducer = (current, incoming) => {
  if (current === undefined) return incoming;
  if (typeof current === 'string' && typeof incoming === 'string') return current + incoming;
  if (Array.isArray(current)) return current.concat(Array.isArray(incoming) ? incoming : [incoming]);
  throw badArgs(`reducer 'concat' cannot merge ${describe(incoming)} into ${describe(current)}`);
};

const reducers = new Map<string, Reducer>([
  ['sum', numeric('sum', (a, b) => a + b)],
  ['min', numeric('min', Math.min)],
  ['max', numeric('max', Math.max)],
  ['concat', concat],
  ['replace', (_current, incoming) => incoming],
]);

/** Built-in reducer names. */
export type BuiltinReducer = 'sum' | 'min' | 'max' | 'concat' | 'replace';

/**
 * Registers a named reducer for `SharedMap.merge`/`mergeAll`. It runs on the node, so it must be
 * registered in the module the node loads (`--objects`), or in the app when the node is embedded.
 * Built-in names cannot be replaced.
 */
export function registerReducer(name: string, reducer: Reducer): void {
  if (reducers.has(name) && reducers.get(name) !== reducer) {
    throw new Error(`a reducer named '${name}' is already registered`);
  }
  reducers.set(name, reducer);
}

/** The reducer of that name, or `EBAD_ARGS` naming the known ones. */
export function reducer(name: unknown): Reducer {
  const found = typeof name === 'string' ? reducers.get(name) : undefined;
  if (!found) throw badArgs(`unknown reducer ${describe(name)}; known: ${[...reducers.keys()].join(', ')}`);
  return found;
}
