import { defineType } from './object-type.ts';
import { describe } from '../errors/describe-value.ts';
import { badArgs, int, intAtLeast, num } from './validate.ts';

type Vector = ArrayLike<number>;

/** Largest matrix, in cells: 2^21 Float64 values, 16 MiB. */
export const MAX_CELLS = 2 ** 21;

function vector(v: unknown, length: number, name: string): Vector {
  if (!(Array.isArray(v) || v instanceof Float64Array || v instanceof Float32Array)) {
    throw badArgs(`${name} must be a number array, Float64Array or Float32Array, got ${describe(v)}`);
  }
  if (v.length !== length) throw badArgs(`${name} must have ${length} elements, got ${v.length}`);
  // Typed arrays hold numbers but may hold NaN, which `set` refuses too.
  for (let i = 0; i < v.length; i++) num(v[i], `${name}[${i}]`);
  return v;
}

/** Node-side state of an `AtomicMatrix`: `rows x cols` Float64 values, row-major, zero-filled. */
export class AtomicMatrixState {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;

  constructor(rows: unknown, cols: unknown) {
    this.rows = intAtLeast(rows, 1, 'rows');
    this.cols = intAtLeast(cols, 1, 'cols');
    // Whole-matrix reads must fit a default frame (16 MiB), and one call must not reserve gigabytes.
    if (this.rows * this.cols > MAX_CELLS) throw badArgs(`a ${this.rows}x${this.cols} matrix is too large (max ${MAX_CELLS} cells)`);
    this.data = new Float64Array(this.rows * this.cols);
  }

  private row_(i: unknown): number {
    const r = int(i, 'row');
    if (r < 0 || r >= this.rows) throw new RangeError(`row ${r} is out of bounds for ${this.rows} rows`);
    return r;
  }
  private cell(i: unknown, j: unknown): number {
    const r = this.row_(i);
    const c = int(j, 'col');
    if (c < 0 || c >= this.cols) throw new RangeError(`column ${c} is out of bounds for ${this.cols} columns`);
    return r * this.cols + c;
  }

  get(i: unknown, j: unknown): number {
    return this.data[this.cell(i, j)]!;
  }
  set(i: unknown, j: unknown, v: unknown): null {
    const at = this.cell(i, j);
    this.data[at] = num(v, 'value');
    return null;
  }
  row(i: unknown): Float64Array {
    const r = this.row_(i);
    return this.data.slice(r * this.cols, (r + 1) * this.cols);
  }
  addRow(i: unknown, values: unknown): null {
    const base = this.row_(i) * this.cols;
    const v = vector(values, this.cols, 'values');
    for (let c = 0; c < this.cols; c++) this.data[base + c]! += v[c]!;
    return null;
  }
  add(matrix: unknown): null {
    if (Array.isArray(matrix) && matrix.length === this.rows && matrix.every((r) => typeof r === 'object')) {
      const rows = matrix.map((r, i) => vector(r, this.cols, `matrix[${i}]`));
      for (let r = 0; r < this.rows; r++) {
        const row = rows[r]!;
        const base = r * this.cols;
        for (let c = 0; c < this.cols; c++) this.data[base + c]! += row[c]!;
      }
      return null;
    }
    const flat = vector(matrix, this.data.length, 'matrix');
    for (let k = 0; k < flat.length; k++) this.data[k]! += flat[k]!;
    return null;
  }
  toArray(): Float64Array[] {
    const out: Float64Array[] = [];
    for (let r = 0; r < this.rows; r++) out.push(this.data.slice(r * this.cols, (r + 1) * this.cols));
    return out;
  }
}

/** The `AtomicMatrix` type. */
export const AtomicMatrixType = defineType(
  'AtomicMatrix',
  AtomicMatrixState,
  {
    get: { readonly: true, arity: [2, 2] },
    set: { arity: [3, 3] },
    row: { readonly: true, arity: [1, 1] },
    add: { arity: [1, 1] },
    addRow: { arity: [2, 2] },
    toArray: { readonly: true, arity: [0, 0] },
  },
  { initArity: [2, 2], atomic: true },
);
