import { registerHandle } from '../client/handle-registry.ts';
import type { SharedListState } from '../objects/shared-list.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey } from './shared-object.ts';

/**
 * A shared list. Indexes out of bounds fail with a `RemoteError` named `RangeError` and change
 * nothing.
 */
export class SharedList<T = unknown> extends BuiltinObject<SharedListState> {
  constructor(key: ObjectKey) {
    super('SharedList', key, []);
  }
  /** Appends the items in order; resolves to the new size. */
  push(...items: T[]): Promise<number> {
    return this.invoke('push', items);
  }
  /** The item at index `i`. */
  get(i: number): Promise<T> {
    return this.invoke('get', [i]);
  }
  /** Replaces the item at `i`; resolves to the previous item. */
  set(i: number, value: T): Promise<T> {
    return this.invoke('set', [i, value]);
  }
  /** Number of items. */
  size(): Promise<number> {
    return this.invoke('size', []);
  }
  /** A copy of items `[start, end)`, with `Array.prototype.slice` semantics. */
  slice(start?: number, end?: number): Promise<T[]> {
    return this.invoke('slice', end !== undefined ? [start ?? 0, end] : start !== undefined ? [start] : []);
  }
  /** Removes the item at `i`; resolves to it. */
  removeAt(i: number): Promise<T> {
    return this.invoke('removeAt', [i]);
  }
  /** Removes every item. */
  clear(): Promise<void> {
    return this.invoke('clear', []);
  }
}
registerHandle('SharedList', SharedList);
