import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemoteError } from '../src/index.ts';
import { BoundedBuffer, CarefulCounter, CarelessCounter, Ledger, TallyHolder } from './fixtures/shared-classes.ts';
import { testNode } from './support/node.ts';

const objects = [Ledger, BoundedBuffer, CarelessCounter, CarefulCounter, TallyHolder];

test('a method that throws midway leaves the object exactly as it was; the caller gets the error\'s name and message', async () => {
  const t = await testNode({ objects });
  try {
    const ledger = new Ledger({ key: 'ledger', client: await t.client() });
    await ledger.open('alice', 100);
    await ledger.open('bob', 20);
    await ledger.transfer('alice', 'bob', 30);
    const before = await ledger.state();
    assert.deepEqual(before, {
      balances: [['alice', 70], ['bob', 50]],
      history: ['alice->bob:30'],
      aliased: true,
      totals: { transfers: 1, volume: 30, byAccount: { alice: { in: 0, out: 30 }, bob: { in: 30, out: 0 } } },
      touched: ['alice', 'bob'],
      last: 'alice->bob:30',
      lastIsEntry: true,
      stats: '1 transfers, largest 30',
      fields: ['balances', 'history', 'recent', 'totals', 'touched', 'last', 'stats'],
    });

    // bob -> carol credits a new Map key, pushes through the alias, grows nested objects, adds a
    // Set member, changes a kept class instance, replaces a field and adds one; then finds bob
    // overdrawn.
    await assert.rejects(ledger.transfer('bob', 'carol', 80), (err: unknown) => {
      assert.ok(err instanceof RemoteError, `got ${String(err)}`);
      assert.equal(err.code, 'EREMOTE');
      assert.equal(err.remoteName, 'OverdraftError');
      assert.equal(err.message, 'bob would be overdrawn by 30');
      return true;
    });
    assert.deepEqual(await ledger.state(), before);

    // The restored object still works as one: the alias still aliases, the entries are still Entries.
    await ledger.transfer('bob', 'alice', 50);
    const after = (await ledger.state()) as typeof before;
    assert.deepEqual(after.balances, [['alice', 120], ['bob', 0]]);
    assert.deepEqual(after.history, ['alice->bob:30', 'bob->alice:50']);
    assert.equal(after.aliased, true);
    assert.equal(after.last, 'bob->alice:50');
    assert.equal(after.lastIsEntry, true);
    assert.equal(after.stats, '2 transfers, largest 50');
  } finally {
    await t.close();
  }
});

test('many failed calls in a row change nothing, and successful ones between them stay', async () => {
  const t = await testNode({ objects });
  try {
    const ledger = new Ledger({ key: 'ledger', client: await t.client() });
    await ledger.open('a', 10);
    await ledger.open('b', 10);
    const failures: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      failures.push(assert.rejects(ledger.transfer('a', 'b', 11 + i), { remoteName: 'OverdraftError' }));
      if (i % 5 === 0) void ledger.transfer('b', 'a', 1);
    }
    await Promise.all(failures);
    const state = (await ledger.state()) as { balances: [string, number][]; history: string[] };
    assert.deepEqual(state.balances, [['a', 14], ['b', 6]]);
    assert.deepEqual(state.history, ['b->a:1', 'b->a:1', 'b->a:1', 'b->a:1']);
  } finally {
    await t.close();
  }
});

test('a constructor that throws creates no object', async () => {
  const t = await testNode({ objects });
  try {
    const client = await t.client();
    await assert.rejects(new BoundedBuffer({ key: 'buf', client }, 0).put('x'), (err: unknown) => {
      assert.ok(err instanceof RemoteError);
      assert.equal(err.remoteName, 'RangeError');
      assert.equal(err.message, 'capacity must be an integer >= 1, got 0');
      return true;
    });
    assert.deepEqual(await client.keys(), []);
    assert.equal(t.node.objectCount(), 0);
    // The key is free: the next handle's constructor args are used, not ignored.
    const buffer = new BoundedBuffer({ key: 'buf', client }, 1);
    assert.equal(await buffer.put('x'), 1);
    assert.deepEqual(await client.keys(), ['buf']);
  } finally {
    await t.close();
  }
});

test('{ atomic: true } skips the rollback point: a method that mutates and then throws keeps the mutation', async () => {
  const t = await testNode({ objects });
  try {
    const client = await t.client();
    const careless = new CarelessCounter({ key: 'careless', client });
    const careful = new CarefulCounter({ key: 'careful', client });
    for (const counter of [careless, careful]) {
      await assert.rejects(counter.addThenFail(5), { code: 'EREMOTE', remoteName: 'RangeError', message: 'refusing 5 after adding it' });
    }
    assert.deepEqual(await careless.get(), { n: 5, log: [5] }, 'atomic: the half-done change stays, as documented');
    assert.deepEqual(await careful.get(), { n: 0, log: [] }, 'not atomic: rolled back');
  } finally {
    await t.close();
  }
});

test('a rollback puts back the objects the state held, not copies: one with #private fields keeps working', async () => {
  const t = await testNode({ objects });
  try {
    const holder = new TallyHolder({ key: 'tally', client: await t.client() });
    assert.equal(await holder.bump(), 1);
    await assert.rejects(holder.bumpThenFail(), { remoteName: 'Error', message: 'undo me' });
    assert.equal(await holder.same(), true, 'the array is back to the one tally, which both fields still share');
    // #private fields are out of a rollback point's reach (documented): the bump inside the failed call stays.
    assert.equal(await holder.bump(), 3);
  } finally {
    await t.close();
  }
});
