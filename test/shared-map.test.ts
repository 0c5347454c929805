import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SharedMap, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

const badArgs = { name: 'InvalidCallError', code: 'EBAD_ARGS' };
const map = <K extends string | number = string, V = unknown>(key: string): SharedMap<K, V> => new SharedMap<K, V>({ key, client });

test('set, get, has and delete; a missing key reads as null', async () => {
  const m = map<string | number>('map/basic');
  assert.equal(await m.get('a'), null);
  assert.equal(await m.has('a'), false);
  await m.set('a', { x: [1, 2] });
  await m.set(1, 'one');
  assert.deepEqual(await m.get('a'), { x: [1, 2] });
  assert.equal(await m.get(1), 'one');
  assert.equal(await m.get('1'), null, 'number and string keys are distinct');
  assert.equal(await m.has('a'), true);
  await m.set('a', 'replaced');
  assert.equal(await m.get('a'), 'replaced');
  assert.equal(await m.delete('a'), true);
  assert.equal(await m.delete('a'), false);
  assert.equal(await m.has('a'), false);
  await m.set('null', null);
  assert.equal(await m.has('null'), true, 'a key holding null is present');
});

test('size, keys, values and entries follow insertion order; clear empties the map', async () => {
  const m = map<string, number>('map/iterate');
  assert.equal(await m.size(), 0);
  assert.deepEqual(await m.entries(), []);
  await m.set('z', 1);
  await m.set('a', 2);
  await m.set('m', 3);
  await m.set('z', 4);
  assert.equal(await m.size(), 3);
  assert.deepEqual(await m.keys(), ['z', 'a', 'm']);
  assert.deepEqual(await m.values(), [4, 2, 3]);
  assert.deepEqual(await m.entries(), [['z', 4], ['a', 2], ['m', 3]]);
  await m.clear();
  assert.equal(await m.size(), 0);
  assert.deepEqual(await m.keys(), []);
  assert.deepEqual(await m.values(), []);
});

test('merge with sum, min and max combines numbers and resolves to the stored value', async () => {
  const m = map<string, number>('map/numeric');
  assert.equal(await m.merge('sum', 5, 'sum'), 5, 'an absent key takes the incoming value');
  assert.equal(await m.merge('sum', 2.5, 'sum'), 7.5);
  assert.equal(await m.merge('min', 4, 'min'), 4);
  assert.equal(await m.merge('min', 9, 'min'), 4);
  assert.equal(await m.merge('min', -1, 'min'), -1);
  assert.equal(await m.merge('max', 4, 'max'), 4);
  assert.equal(await m.merge('max', 1, 'max'), 4);
  assert.equal(await m.merge('max', 10, 'max'), 10);
  assert.deepEqual(await m.entries(), [['sum', 7.5], ['min', -1], ['max', 10]]);
});

test('merge with concat joins strings and arrays; replace overwrites', async () => {
  const m = map<string, unknown>('map/concat');
  assert.equal(await m.merge('s', 'ab', 'concat'), 'ab');
  assert.equal(await m.merge('s', 'cd', 'concat'), 'abcd');
  assert.deepEqual(await m.merge('a', [1], 'concat'), [1]);
  assert.deepEqual(await m.merge('a', [2, 3], 'concat'), [1, 2, 3]);
  assert.deepEqual(await m.merge('a', 4, 'concat'), [1, 2, 3, 4], 'a single value is appended');
  assert.deepEqual(await m.merge('r', { v: 1 }, 'replace'), { v: 1 });
  assert.equal(await m.merge('r', 'other', 'replace'), 'other');
  assert.equal(await m.get('r'), 'other');
});

test('a merge the reducer cannot apply is EBAD_ARGS and leaves the entry as it was', async () => {
  const m = map<string, unknown>('map/merge-bad');
  await m.set('n', 3);
  await m.set('s', 'text');
  await assert.rejects(m.merge('n', 'x', 'sum'), badArgs);
  await assert.rejects(m.merge('s', 1, 'max'), badArgs);
  await assert.rejects(m.merge('n', 'x', 'concat'), badArgs);
  await assert.rejects(m.merge('n', 1, 'product'), badArgs);
  await assert.rejects(m.merge('fresh', 1, 'product'), badArgs);
  assert.deepEqual(await m.entries(), [['n', 3], ['s', 'text']]);
});

test('mergeAll merges pairs, Maps and records in one call; repeated keys fold in order', async () => {
  const m = map<string | number, number>('map/merge-all');
  assert.equal(await m.mergeAll([['a', 1], ['b', 2], ['a', 10], [7, 1]], 'sum'), 3, 'resolves to the distinct keys written');
  assert.deepEqual(await m.entries(), [['a', 11], ['b', 2], [7, 1]]);
  assert.equal(await m.mergeAll(new Map<string | number, number>([['b', 5], [7, 0]]), 'max'), 2);
  assert.equal(await m.mergeAll({ a: 1, c: 3 }, 'min'), 2);
  assert.deepEqual(await m.entries(), [['a', 1], ['b', 5], [7, 1], ['c', 3]]);
  assert.equal(await m.mergeAll([], 'sum'), 0);
});

test('mergeAll is all or nothing: one bad entry leaves the map unchanged', async () => {
  const m = map<string, unknown>('map/merge-all-atomic');
  await m.set('a', 1);
  await assert.rejects(m.mergeAll([['a', 1], ['b', 2], ['c', 'three']], 'sum'), badArgs);
  await assert.rejects(m.mergeAll([['b', 2], [{ not: 'a key' } as unknown as string, 1]], 'sum'), badArgs);
  await assert.rejects(m.mergeAll([['b', 2], ['c'] as unknown as [string, unknown]], 'sum'), badArgs);
  await assert.rejects(m.mergeAll([['a', 2], ['b', 2]], 'no-such-reducer'), badArgs);
  await assert.rejects(m.mergeAll('a=1' as unknown as Record<string, unknown>, 'sum'), badArgs);
  assert.deepEqual(await m.entries(), [['a', 1]]);
});

test('mergeAll refuses a handle or another non-record object in place of its entries', async () => {
  const m = map<string, unknown>('map/merge-all-shape');
  const notEntries = map('map/some-other-map');
  await assert.rejects(m.mergeAll(notEntries as unknown as Record<string, unknown>, 'replace'), badArgs);
  await assert.rejects(m.mergeAll(new Float64Array([1, 2]) as unknown as Record<string, unknown>, 'replace'), badArgs);
  await assert.rejects(m.mergeAll(new Date(0) as unknown as Record<string, unknown>, 'replace'), badArgs);
  assert.deepEqual(await m.entries(), []);
});
