/**
 * The objects a fault run drives, named from a prefix so runs never share keys: counters
 * (AtomicLong), registers (AtomicReference) and maps (SharedMap, a few fields each). Object 0 of
 * each kind is hot: it takes half the calls of its kind, so a fault on its owner hurts.
 */

/** Counters (AtomicLong) per run. */
export const COUNTERS = 3;
/** Registers (AtomicReference) per run. */
export const REGISTERS = 3;
/** Maps (SharedMap) per run. */
export const MAPS = 2;
/** Fields merged into per map. */
export const FIELDS = 3;

/** The keys of a run's objects, by kind. */
export interface Workload {
  counters: string[];
  registers: string[];
  maps: string[];
  fields: string[];
  /** Every key, counters first. */
  all: string[];
}

/** The objects of the run named by `prefix`. */
export function workload(prefix: string): Workload {
  const counters = Array.from({ length: COUNTERS }, (_, i) => `${prefix}-long${i}`);
  const registers = Array.from({ length: REGISTERS }, (_, i) => `${prefix}-ref${i}`);
  const maps = Array.from({ length: MAPS }, (_, i) => `${prefix}-map${i}`);
  const fields = Array.from({ length: FIELDS }, (_, i) => `f${i}`);
  return { counters, registers, maps, fields, all: [...counters, ...registers, ...maps] };
}
