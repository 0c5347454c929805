import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidCallError, RemoteError, sharedClass } from '../src/index.ts';
import type { CallTarget } from '../src/client/client.ts';
import { BoundedBuffer, Directory, Ledger, Sneaky } from './fixtures/shared-classes.ts';
import { testNode } from './support/node.ts';

/** A class with a helper that must stay on the node. */
const WithHelper = sharedClass(
  'WithHelper',
  class {
    n = 0;
    bump(): number {
      return this._next();
    }
    _next(): number {
      return ++this.n;
    }
  },
);

/** A call target as a handle would send it, for method names no handle offers. */
function raw(type: string, key: string): CallTarget {
  return { type, key, init: [], forceNew: false, initSent: false };
}

function invalidCall(code: string, message: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof InvalidCallError, `got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  };
}

test('a call on a type the node does not serve gets EUNKNOWN_TYPE naming the type and --objects', async () => {
  // Ledger is registered in this process, but this node serves only what it was given.
  const t = await testNode({ objects: [BoundedBuffer] });
  try {
    const client = await t.client();
    await assert.rejects(
      new Ledger({ key: 'ledger', client }).open('a', 1),
      invalidCall('EUNKNOWN_TYPE', /object type 'Ledger' is not loaded on this node; start it with --objects <module>/),
    );
    await assert.rejects(client.call(raw('NoSuchType', 'x'), 'anything', []), invalidCall('EUNKNOWN_TYPE', /'NoSuchType'.*--objects/));
    assert.deepEqual(await client.keys(), [], 'nothing was created');
    assert.equal(await new BoundedBuffer({ key: 'served', client }, 1).put(1), 1, 'the node serves the rest');
  } finally {
    await t.close();
  }
});

test('an unknown method gets EUNKNOWN_METHOD, as do members every object has and _helpers', async () => {
  const t = await testNode({ objects: [Ledger, WithHelper] });
  try {
    const client = await t.client();
    for (const method of ['nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'then', 'valueOf']) {
      await assert.rejects(
        client.call(raw('Ledger', 'ledger'), method, []),
        invalidCall('EUNKNOWN_METHOD', new RegExp(`^Ledger has no method '${method}'$`)),
        method,
      );
    }
    assert.deepEqual(await client.keys(), [], 'a call refused before it ran creates no object');

    const helper = new WithHelper({ key: 'helper', client });
    assert.equal(await helper.bump(), 1);
    assert.equal((helper as unknown as Record<string, unknown>)._next, undefined, 'the handle has no _next');
    await assert.rejects(client.call(raw('WithHelper', 'helper'), '_next', []), invalidCall('EUNKNOWN_METHOD', /no method '_next'/));
    assert.equal(await helper.bump(), 2, 'the refused call changed nothing');
  } finally {
    await t.close();
  }
});

test('a method that returns a Promise fails with a message naming it and leaves the object unchanged', async () => {
  const t = await testNode({ objects: [Sneaky] });
  try {
    const client = await t.client();
    const sneaky = new Sneaky({ key: 'sneaky', client });
    const refused = (method: string) => (err: unknown) => {
      assert.ok(err instanceof RemoteError, `got ${String(err)}`);
      assert.equal(err.remoteName, 'TypeError');
      assert.equal(
        err.message,
        `Sneaky.${method}() returned a Promise; shared object methods must be synchronous (no await, I/O, clock or randomness)`,
      );
      return true;
    };
    await assert.rejects(sneaky.later(), refused('later'));
    // A rejected Promise must not become an unhandled rejection, which would end the node's process.
    await assert.rejects(sneaky.failLater(), refused('failLater'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(await sneaky.count(), 0, 'both increments were rolled back');
  } finally {
    await t.close();
  }
});

test('sharedClass refuses async and generator methods, reserved names and a readonly that is not a method', () => {
  assert.throws(
    () => sharedClass('Async', class { async load(): Promise<number> { return 1; } }),
    { name: 'TypeError', message: /^Async\.load is async; shared object methods run synchronously on the node/ },
  );
  assert.throws(
    () => sharedClass('Gen', class { *items(): Generator<number> { yield 1; } }),
    { name: 'TypeError', message: /^Gen\.items is a generator;/ },
  );
  assert.throws(
    () => sharedClass('AsyncGen', class { async *items(): AsyncGenerator<number> { yield 1; } }),
    { name: 'TypeError', message: /^AsyncGen\.items is a generator;/ },
  );
  for (const name of ['destroy', 'key', 'then', 'withOptions', 'client', 'invoke', 'init', 'type']) {
    const cls = class {};
    Object.defineProperty(cls.prototype, name, { value: function () {}, writable: true, configurable: true });
    assert.throws(() => sharedClass('Reserved', cls), {
      name: 'TypeError',
      message: `Reserved.${name}: '${name}' is reserved for handles; rename the method`,
    });
  }
  const Plain = class {
    n = 0;
    get(): number {
      return this.n;
    }
    get doubled(): number {
      return this.n * 2;
    }
    _helper(): void {}
  };
  for (const name of ['n', 'doubled', '_helper', 'nope']) {
    assert.throws(() => sharedClass('ReadonlyTypo', Plain, { readonly: [name] }), {
      name: 'TypeError',
      message: `ReadonlyTypo: readonly names '${name}', which is not a method`,
    });
  }
  assert.throws(() => sharedClass('', Plain), /non-empty name/);
  // None of the refused definitions took its name.
  for (const name of ['Async', 'Gen', 'Reserved', 'ReadonlyTypo']) {
    assert.equal(sharedClass(name, Plain, { readonly: ['get'] }).objectType.name, name);
  }
});

test('sharedClass refuses a second, different class under a name already taken', async () => {
  assert.throws(() => sharedClass('Ledger', class { open(): void {} }), {
    message: "a different shared class named 'Ledger' is already registered",
  });
  // The first Ledger still owns the name: the node runs it, and references decode as its handles.
  const t = await testNode({ objects: [Ledger, Directory] });
  try {
    const client = await t.client();
    const ledger = new Ledger({ key: 'ledger', client });
    await ledger.open('a', 1);
    const dir = new Directory({ key: 'dir', client });
    await dir.register('ledger', ledger);
    const back = await dir.lookup('ledger');
    assert.ok(back instanceof Ledger);
    assert.deepEqual(((await back.state()) as { balances: unknown }).balances, [['a', 1]]);
  } finally {
    await t.close();
  }
});
