import { task } from '../../src/index.ts';

/** A step of the dag-chain and dag-fanout scenarios: adds 1 (its args, if any, are ignored). */
export const inc = task('bench.dag.inc', (x: number | [unknown, number]) => (Array.isArray(x) ? x[1] : x) + 1);

/** The fan-in of dag-fanout: sums what it is given. */
export const total = task('bench.dag.total', (xs: number[]) => xs.reduce((a, b) => a + b, 0));
