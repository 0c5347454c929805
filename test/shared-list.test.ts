import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SharedList, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

const list = <T>(key: string): SharedList<T> => new SharedList<T>({ key, client });
const outOfRange = { name: 'RemoteError', code: 'EREMOTE', remoteName: 'RangeError' };

test('push appends items in order and resolves to the new size', async () => {
  const l = list<unknown>('list/push');
  assert.equal(await l.size(), 0);
  assert.equal(await l.push('a'), 1);
  assert.equal(await l.push({ b: 1 }, [2, 3], null), 4);
  assert.equal(await l.push(), 4, 'pushing nothing changes nothing');
  assert.deepEqual(await l.slice(), ['a', { b: 1 }, [2, 3], null]);
  assert.equal(await l.size(), 4);
});

test('get and set address items by index; set resolves to the previous item', async () => {
  const l = list<string>('list/get-set');
  await l.push('a', 'b', 'c');
  assert.equal(await l.get(0), 'a');
  assert.equal(await l.get(2), 'c');
  assert.equal(await l.set(1, 'B'), 'b');
  assert.deepEqual(await l.slice(), ['a', 'B', 'c']);
});

test('slice follows Array.prototype.slice, including negative and missing bounds', async () => {
  const l = list<number>('list/slice');
  await l.push(0, 1, 2, 3, 4);
  assert.deepEqual(await l.slice(), [0, 1, 2, 3, 4]);
  assert.deepEqual(await l.slice(2), [2, 3, 4]);
  assert.deepEqual(await l.slice(1, 3), [1, 2]);
  assert.deepEqual(await l.slice(undefined, 2), [0, 1]);
  assert.deepEqual(await l.slice(-2), [3, 4]);
  assert.deepEqual(await l.slice(1, -1), [1, 2, 3]);
  assert.deepEqual(await l.slice(3, 1), []);
  assert.deepEqual(await l.slice(10), []);
});

test('removeAt removes and resolves to the item; clear removes every item', async () => {
  const l = list<string>('list/remove');
  await l.push('a', 'b', 'c');
  assert.equal(await l.removeAt(1), 'b');
  assert.deepEqual(await l.slice(), ['a', 'c']);
  assert.equal(await l.removeAt(1), 'c');
  assert.equal(await l.size(), 1);
  await l.clear();
  assert.equal(await l.size(), 0);
  assert.deepEqual(await l.slice(), []);
});

test('an index out of bounds is a RangeError and changes nothing', async () => {
  const l = list<string>('list/range');
  await assert.rejects(l.get(0), outOfRange, 'an empty list has no index 0');
  await assert.rejects(l.removeAt(0), outOfRange);
  await l.push('a', 'b');
  for (const i of [2, -1, 100]) {
    await assert.rejects(l.get(i), outOfRange);
    await assert.rejects(l.set(i, 'x'), outOfRange);
    await assert.rejects(l.removeAt(i), outOfRange);
  }
  assert.deepEqual(await l.slice(), ['a', 'b']);
});
