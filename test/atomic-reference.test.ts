import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicReference, type Client } from '../src/index.ts';
import { testNode, type TestNode } from './support/node.ts';

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode();
  client = await t.client();
});
after(() => t.close());

const ref = <T>(key: string, initial?: T): AtomicReference<T> => new AtomicReference<T>({ key, client }, initial);

test('an AtomicReference starts null by default, or at its initial value', async () => {
  assert.equal(await ref('ref/default').get(), null);
  assert.deepEqual(await ref('ref/initial', { a: [1, 2] }).get(), { a: [1, 2] });
});

test('set and getAndSet store any wire value; getAndSet resolves to the previous one', async () => {
  const r = ref<unknown>('ref/set');
  const values: unknown[] = ['text', 42.5, true, [1, 'two', null], { nested: { deep: [{ x: 1 }] } }, new Float64Array([1.5, -2])];
  for (const v of values) {
    await r.set(v);
    assert.deepEqual(await r.get(), v);
  }
  assert.deepEqual(await r.getAndSet(null), new Float64Array([1.5, -2]));
  assert.equal(await r.get(), null);
});

test('compareAndSet compares structurally: an equal copy matches, a different value does not', async () => {
  const r = ref('ref/cas', { name: 'a', tags: ['x', 'y'], at: { n: 1 } });
  assert.equal(await r.compareAndSet({ name: 'a', tags: ['x'], at: { n: 1 } }, { name: 'no', tags: [], at: { n: 0 } }), false);
  assert.equal(await r.compareAndSet({ name: 'a', tags: ['x', 'y'], at: { n: 2 } }, { name: 'no', tags: [], at: { n: 0 } }), false);
  assert.deepEqual(await r.get(), { name: 'a', tags: ['x', 'y'], at: { n: 1 } });
  // Key order does not matter; the node holds a copy, so identity could never match anyway.
  assert.equal(await r.compareAndSet({ at: { n: 1 }, tags: ['x', 'y'], name: 'a' }, { name: 'b', tags: [], at: { n: 2 } }), true);
  assert.deepEqual(await r.get(), { name: 'b', tags: [], at: { n: 2 } });
});

test('compareAndSet on primitives and null', async () => {
  const r = ref<unknown>('ref/cas-primitive');
  assert.equal(await r.compareAndSet(0, 1), false);
  assert.equal(await r.compareAndSet(null, 1), true);
  assert.equal(await r.compareAndSet('1', 2), false);
  assert.equal(await r.compareAndSet(1, 'one'), true);
  assert.equal(await r.get(), 'one');
});

test('compareAndSet tells apart values that only look alike', async () => {
  const r = ref<unknown>('ref/cas-shapes', { 0: 'a' });
  assert.equal(await r.compareAndSet(['a'], 'wrong'), false, 'an object is not an array');
  await r.set(['a']);
  assert.equal(await r.compareAndSet({ 0: 'a' }, 'wrong'), false, 'an array is not an object');
  await r.set(new Float64Array([1, 2]));
  assert.equal(await r.compareAndSet({ 0: 1, 1: 2 }, 'wrong'), false, 'a typed array is not an object');
  assert.equal(await r.compareAndSet([1, 2], 'wrong'), false, 'a typed array is not an array');
  assert.equal(await r.compareAndSet(new Float64Array([1, 2]), 'typed'), true);
  await r.set(new Date(1000));
  assert.equal(await r.compareAndSet(new Date(2000), 'wrong'), false, 'dates compare by time');
  assert.equal(await r.compareAndSet(new Date(1000), 'date'), true);
  await r.set(new Set([[1, 2], 'x']));
  assert.equal(await r.compareAndSet(new Set(['x', [1, 3]]), 'wrong'), false);
  assert.equal(await r.compareAndSet(new Set(['x', [1, 2]]), 'set'), true, 'sets compare members structurally');
  assert.equal(await r.get(), 'set');
});

test('compareAndSet compares binary, regexp and error values by content', async () => {
  const r = ref<unknown>('ref/cas-binary', new Uint8Array([1, 2]).buffer);
  assert.equal(await r.compareAndSet(new Uint8Array([1, 3]).buffer, 'wrong'), false);
  assert.equal(await r.compareAndSet(new Uint8Array([1, 2]).buffer, /a+/g), true);
  assert.equal(await r.compareAndSet(/a+/i, 'wrong'), false);
  assert.equal(await r.compareAndSet(/a+/g, new RangeError('too far')), true);
  assert.equal(await r.compareAndSet(new RangeError('too near'), 'wrong'), false);
  assert.equal(await r.compareAndSet(new TypeError('too far'), 'wrong'), false);
  assert.equal(await r.compareAndSet(new RangeError('too far'), 'done'), true);
  assert.equal(await r.get(), 'done');
});
