import { registerHandle } from '../client/handle-registry.ts';
import * as lww from '../lattice/lww-register.ts';
import { checkSerializable } from '../runtime/serializable.ts';
import { LatticeObject, type LatticeKey } from './lattice-object.ts';

/**
 * A last-writer-wins register: of concurrent `set`s, the one with the highest hybrid logical
 * clock reading (then writer id) wins everywhere. A lattice object: read from the process's cache,
 * written there at once and sent to its node in the background (see {@link LatticeObject}).
 *
 * ```ts
 * const model = new LwwRegister<number[]>('model', []);
 * await model.set(weights);
 * const w = await model.get();
 * ```
 */
export class LwwRegister<T = unknown> extends LatticeObject<lww.LwwRegisterState, lww.LwwRegisterDelta> {
  /** @param initial the value when the object is created (default null); ignored if it exists. */
  constructor(key: LatticeKey, initial?: T) {
    super(lww.LwwRegisterLattice, key, [initial]);
  }
  /** The value. */
  get(): Promise<T> {
    return this.view((s) => lww.get(s) as T);
  }
  /** Sets the value (a msgpack value; anything else rejects with a `SerializationError`). */
  set(value: T): Promise<void> {
    return this.update((s, stamp) => {
      checkSerializable(value, 'value');
      return lww.set(s, value, stamp);
    });
  }
}
registerHandle('LwwRegister', LwwRegister);
