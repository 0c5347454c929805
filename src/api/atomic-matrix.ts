import { registerHandle } from '../client/handle-registry.ts';
import type { AtomicMatrixState } from '../objects/atomic-matrix.ts';
import { BuiltinObject } from './builtin-object.ts';
import type { ObjectKey } from './shared-object.ts';

/** A row or a flat matrix as methods accept it. */
export type Numbers = readonly number[] | Float64Array | Float32Array;

/**
 * A shared `rows x cols` matrix of Float64 values, zero-filled at creation. Element-wise `add` and
 * `addRow` are the way to merge partial results (e.g. k-means sums) in one call each. Rows come
 * back as `Float64Array`s.
 */
export class AtomicMatrix extends BuiltinObject<AtomicMatrixState> {
  /** @param rows @param cols the shape when the object is created; ignored if it exists. */
  constructor(key: ObjectKey, rows?: number, cols?: number) {
    super('AtomicMatrix', key, [rows, cols]);
  }
  /** The element at row `i`, column `j`. */
  get(i: number, j: number): Promise<number> {
    return this.invoke('get', [i, j]);
  }
  /** Sets the element at row `i`, column `j`. */
  set(i: number, j: number, value: number): Promise<void> {
    return this.invoke('set', [i, j, value]);
  }
  /** A copy of row `i`. */
  row(i: number): Promise<Float64Array> {
    return this.invoke('row', [i]);
  }
  /** Adds a whole matrix element-wise: rows x cols as an array of rows, or flat row-major. */
  add(matrix: readonly Numbers[] | Numbers): Promise<void> {
    return this.invoke('add', [matrix]);
  }
  /** Adds `values` (length cols) to row `i` element-wise. */
  addRow(i: number, values: Numbers): Promise<void> {
    return this.invoke('addRow', [i, values]);
  }
  /** A copy of the whole matrix, as rows. */
  toArray(): Promise<Float64Array[]> {
    return this.invoke('toArray', []);
  }
}
registerHandle('AtomicMatrix', AtomicMatrix);
