import { registerHandle } from '../client/handle-registry.ts';
import * as lwwMap from '../lattice/lww-map.ts';
import { checkSerializable } from '../runtime/serializable.ts';
import { LatticeObject, type LatticeKey } from './lattice-object.ts';

/**
 * A map whose every key is a last-writer-wins register; a delete is a write too (it wins or
 * loses by its clock reading like a set). Keys compare by structure. A lattice object (see
 * {@link LatticeObject}).
 */
export class LwwMap<K = unknown, V = unknown> extends LatticeObject<lwwMap.LwwMapState, lwwMap.LwwMapDelta> {
  constructor(key: LatticeKey) {
    super(lwwMap.LwwMapLattice, key, []);
  }
  /** Sets `k` to `v` (msgpack values). */
  set(k: K, v: V): Promise<void> {
    return this.update((s, stamp) => {
      checkSerializable(k, 'key');
      checkSerializable(v, 'value');
      return lwwMap.set(s, k, v, stamp);
    });
  }
  /** The value at `k`, or undefined. */
  get(k: K): Promise<V | undefined> {
    return this.view((s) => lwwMap.get(s, k) as V | undefined);
  }
  /** Deletes `k`. */
  delete(k: K): Promise<void> {
    return this.update((s, stamp) => lwwMap.delete(s, k, stamp));
  }
  /** The live entries, in the same order in every process. */
  entries(): Promise<[K, V][]> {
    return this.view((s) => lwwMap.entries(s) as [K, V][]);
  }
  /** The number of live keys. */
  size(): Promise<number> {
    return this.view(lwwMap.size);
  }
}
registerHandle('LwwMap', LwwMap);
