import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicMatrix, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

const matrix = (key: string, rows: number, cols: number): AtomicMatrix => new AtomicMatrix({ key, client }, rows, cols);
const outOfRange = { name: 'RemoteError', code: 'EREMOTE', remoteName: 'RangeError' };
const rows = (...r: number[][]): Float64Array[] => r.map((x) => new Float64Array(x));

test('a new matrix has its shape, zero-filled; toArray resolves to Float64Array rows', async () => {
  const m = matrix('matrix/new', 2, 3);
  const all = await m.toArray();
  assert.equal(all.length, 2);
  for (const r of all) assert.ok(r instanceof Float64Array);
  assert.deepEqual(all, rows([0, 0, 0], [0, 0, 0]));
});

test('get and set address one element; row resolves to a Float64Array copy', async () => {
  const m = matrix('matrix/get-set', 2, 2);
  await m.set(0, 1, 1.5);
  await m.set(1, 0, -2);
  await m.set(1, 1, Infinity);
  assert.equal(await m.get(0, 1), 1.5);
  assert.equal(await m.get(1, 0), -2);
  assert.equal(await m.get(0, 0), 0);
  const r = await m.row(1);
  assert.ok(r instanceof Float64Array);
  assert.deepEqual(r, new Float64Array([-2, Infinity]));
  assert.deepEqual(await m.toArray(), rows([0, 1.5], [-2, Infinity]));
});

test('add takes a whole matrix as an array of rows or flat row-major, arrays or typed arrays', async () => {
  const m = matrix('matrix/add', 2, 3);
  await m.add([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  await m.add([new Float64Array([0.5, 0.5, 0.5]), new Float32Array([1, 1, 1])]);
  await m.add([10, 20, 30, 40, 50, 60]);
  await m.add(new Float64Array([1, 1, 1, 1, 1, 1]));
  assert.deepEqual(await m.toArray(), rows([12.5, 23.5, 34.5], [46, 57, 68]));
});

test('addRow adds values to one row element-wise', async () => {
  const m = matrix('matrix/add-row', 3, 2);
  await m.addRow(1, [1, 2]);
  await m.addRow(1, new Float64Array([0.25, 0.5]));
  await m.addRow(2, [-1, -1]);
  assert.deepEqual(await m.toArray(), rows([0, 0], [1.25, 2.5], [-1, -1]));
  assert.deepEqual(await m.row(1), new Float64Array([1.25, 2.5]));
});

test('a row or column out of bounds is a RangeError and changes nothing', async () => {
  const m = matrix('matrix/range', 2, 2);
  await m.set(0, 0, 7);
  for (const [i, j] of [[2, 0], [0, 2], [-1, 0], [0, -1]] as const) {
    await assert.rejects(m.get(i, j), outOfRange);
    await assert.rejects(m.set(i, j, 1), outOfRange);
  }
  await assert.rejects(m.row(2), outOfRange);
  await assert.rejects(m.row(-1), outOfRange);
  await assert.rejects(m.addRow(2, [1, 1]), outOfRange);
  assert.deepEqual(await m.toArray(), rows([7, 0], [0, 0]));
});

test('a matrix whose shape does not fit is EBAD_ARGS and changes nothing', async () => {
  const badArgs = { name: 'InvalidCallError', code: 'EBAD_ARGS' };
  const m = matrix('matrix/shape', 2, 2);
  await m.set(1, 1, 3);
  await assert.rejects(m.add([[1, 2]]), badArgs, 'too few rows');
  await assert.rejects(m.add([[1, 2], [3]]), badArgs, 'a short row');
  await assert.rejects(m.add([[1, 2], [3, 4], [5, 6], [7, 8]]), badArgs, 'rows where numbers belong');
  await assert.rejects(m.add([1, 2, 3]), badArgs, 'a short flat matrix');
  await assert.rejects(m.add([[1, 2], [3, Number.NaN]]), badArgs, 'NaN in a row');
  await assert.rejects(m.add(new Float64Array([1, 2, 3, Number.NaN])), badArgs, 'NaN in a typed array');
  await assert.rejects(m.addRow(0, [1]), badArgs);
  await assert.rejects(m.addRow(0, new Float64Array([1, Number.NaN])), badArgs);
  await assert.rejects(m.addRow(0, ['1', 2] as unknown as number[]), badArgs);
  await assert.rejects(m.set(0, 0, Number.NaN), badArgs);
  assert.deepEqual(await m.toArray(), rows([0, 0], [0, 3]));
});
