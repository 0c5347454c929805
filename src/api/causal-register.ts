import { registerHandle } from '../client/handle-registry.ts';
import * as causal from '../lattice/causal-register.ts';
import { checkSerializable } from '../runtime/serializable.ts';
import { LatticeObject, type LatticeKey } from './lattice-object.ts';

/** Options of a {@link CausalRegister} handle. */
export interface CausalRegisterOptions<T> {
  /** The value when the object is created (default null); ignored if it exists. */
  initial?: T;
  /**
   * Picks the value `get()` answers when concurrent writes left several siblings (given in the
   * same order in every process, oldest first). Default: the last (the write the node took last,
   * then the highest writer id).
   */
  resolve?: (siblings: T[]) => T;
}

/**
 * A register that keeps concurrent writes: a `set` replaces the values its writer had seen; two
 * writes that did not see each other are both kept as siblings until a later write that saw them
 * both replaces them. `siblings()` shows them, `get()` resolves them with the handle's resolver.
 * Versions are stamped by the object's node (one number per sibling, no vector clock that grows
 * with the writers). A lattice object (see {@link LatticeObject}).
 */
export class CausalRegister<T = unknown> extends LatticeObject<causal.CausalRegisterState, causal.CausalRegisterDelta> {
  readonly #resolve: (siblings: T[]) => T;

  constructor(key: LatticeKey, opts: CausalRegisterOptions<T> = {}) {
    super(causal.CausalRegisterLattice, key, [opts.initial]);
    if (opts.resolve !== undefined && typeof opts.resolve !== 'function') throw new TypeError('resolve must be a function of the siblings');
    this.#resolve = opts.resolve ?? causal.resolveDefault;
  }
  /** The value: the only sibling, or the resolver's pick of the siblings. */
  get(): Promise<T> {
    return this.view((s) => {
      const all = causal.siblings(s) as T[];
      return all.length === 1 ? all[0]! : this.#resolve(all);
    });
  }
  /** Every concurrent value, oldest first. */
  siblings(): Promise<T[]> {
    return this.view((s) => causal.siblings(s) as T[]);
  }
  /** Replaces the values this process has seen with `v` (a msgpack value). */
  set(v: T): Promise<void> {
    return this.update((s, stamp) => {
      checkSerializable(v, 'value');
      return causal.set(s, v, stamp);
    });
  }
}
registerHandle('CausalRegister', CausalRegister);
