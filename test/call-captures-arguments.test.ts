import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError, SharedList, SharedMap } from '../src/index.ts';
import { testNode } from './support/node.ts';

test('a call sends its arguments as they were when it was made, even if they change later in the same turn', async () => {
  const t = await testNode();
  try {
    const client = await t.client();
    const list = new SharedList<number[]>({ key: 'list', client });
    const map = new SharedMap<string, { n: number }>({ key: 'map', client });
    const row = [1];
    const entry = { n: 1 };
    const calls = [list.push(row), map.set('a', entry)];
    row.push(2);
    entry.n = 2;
    const second = [list.push(row), map.set('b', entry)];
    await Promise.all([...calls, ...second]);
    assert.deepEqual(await list.slice(), [[1], [1, 2]]);
    assert.deepEqual(await map.get('a'), { n: 1 });
    assert.deepEqual(await map.get('b'), { n: 2 });
  } finally {
    await t.close();
  }
});

test('a call whose arguments cannot be encoded rejects with ProtocolError; the calls beside it go through', async () => {
  const t = await testNode();
  try {
    const list = new SharedList<unknown>({ key: 'list', client: await t.client() });
    const [bad, good] = await Promise.allSettled([list.push(Symbol('no')), list.push('yes')]);
    assert.equal(bad.status, 'rejected');
    assert.ok((bad as PromiseRejectedResult).reason instanceof ProtocolError);
    assert.match((bad as PromiseRejectedResult).reason.message, /the arguments cannot be sent/);
    assert.deepEqual(good, { status: 'fulfilled', value: 1 });
    assert.deepEqual(await list.slice(), ['yes']);
  } finally {
    await t.close();
  }
});
