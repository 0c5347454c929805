import { defineType } from './object-type.ts';
import { int } from './validate.ts';

/** Node-side state of a `SharedList`. */
export class SharedListState {
  readonly items: unknown[] = [];

  private index(i: unknown): number {
    const n = int(i, 'index');
    if (n < 0 || n >= this.items.length) throw new RangeError(`index ${n} is out of bounds for a list of ${this.items.length}`);
    return n;
  }

  push(...items: unknown[]): number {
    for (const item of items) this.items.push(item);
    return this.items.length;
  }
  get(i: unknown): unknown {
    return this.items[this.index(i)];
  }
  set(i: unknown, v: unknown): unknown {
    const n = this.index(i);
    const prev = this.items[n];
    this.items[n] = v;
    return prev;
  }
  size(): number {
    return this.items.length;
  }
  slice(start?: unknown, end?: unknown): unknown[] {
    const s = start === undefined || start === null ? undefined : int(start, 'start');
    const e = end === undefined || end === null ? undefined : int(end, 'end');
    return this.items.slice(s, e);
  }
  removeAt(i: unknown): unknown {
    return this.items.splice(this.index(i), 1)[0];
  }
  clear(): null {
    this.items.length = 0;
    return null;
  }
}

/** The `SharedList` type. */
export const SharedListType = defineType(
  'SharedList',
  SharedListState,
  {
    push: {},
    get: { readonly: true, arity: [1, 1] },
    set: { arity: [2, 2] },
    size: { readonly: true, arity: [0, 0] },
    slice: { readonly: true, arity: [0, 2] },
    removeAt: { arity: [1, 1] },
    clear: { arity: [0, 0] },
  },
  { initArity: [0, 0], atomic: true },
);

