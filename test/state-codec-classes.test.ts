import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedClass } from '../src/api/shared-class.ts';
import { SerializationError } from '../src/errors/serialization-error.ts';
import type { ObjectType } from '../src/objects/object-type.ts';
import { decodeState, encodeState } from '../src/objects/state-codec.ts';
import { userType } from '../src/objects/user-types.ts';
import { Entry, Ledger, Stats } from './fixtures/shared-classes.ts';

type LedgerState = {
  history: Entry[];
  recent: Entry[];
  last: Entry;
  stats: Stats;
  open(name: string, amount: number): void;
  transfer(from: string, to: string, amount: number): void;
  state(): object;
};

function ledger(): LedgerState {
  const l = new Ledger.objectType.stateClass() as LedgerState;
  l.open('a', 10);
  l.transfer('a', 'b', 3);
  l.transfer('b', 'a', 1);
  return l;
}

function roundTrip<T extends object>(type: ObjectType, instance: T): T {
  return decodeState(type, encodeState(type, instance)).instance as T;
}

test('declared classes come back on their prototypes, methods working and aliases kept', () => {
  const l = ledger();
  const copy = roundTrip(Ledger.objectType, l);
  assert.ok(copy.stats instanceof Stats);
  assert.ok(copy.history.every((e) => Object.getPrototypeOf(e) === Entry.prototype));
  assert.equal(copy.stats.describe(), '2 transfers, largest 3');
  assert.equal(copy.history[1]!.describe(), 'b->a:1');
  assert.equal(copy.recent, copy.history);
  assert.equal(copy.last, copy.history[1]);
  assert.deepStrictEqual(copy, l);
  // The same calls on both give the same results; a mutating method of a nested instance runs on the copy.
  copy.transfer('a', 'c', 5);
  l.transfer('a', 'c', 5);
  assert.deepStrictEqual(copy.state(), l.state());
  assert.equal(copy.stats.describe(), '3 transfers, largest 5');
});

test('a class listed twice, or the state class listed, changes nothing', () => {
  class Holder {
    stats = new Stats();
    self: Holder[] = [this];
  }
  const type = userType('CodecHolder', Holder, { classes: [Holder, Stats, Stats] });
  const h = new Holder();
  h.stats.record(4);
  const copy = roundTrip(type, h);
  assert.equal(Object.getPrototypeOf(copy), Holder.prototype);
  assert.equal(copy.self[0], copy);
  assert.equal(copy.stats.describe(), '1 transfers, largest 4');
});

test('an undeclared class is refused with the declaration that fixes it', () => {
  class Tally {
    stats = new Stats();
    entries = [new Entry('x', 'y', 1)];
  }
  const Declared = sharedClass('CodecTally', Tally, { classes: [Entry] });
  assert.throws(
    () => encodeState(Declared.objectType, new Tally()),
    (err: unknown) =>
      err instanceof SerializationError &&
      err.path === 'CodecTally state.stats' &&
      err.message ===
        "CodecTally state.stats is a Stats instance; declare its class to let the object move between nodes and into snapshots: sharedClass('CodecTally', Tally, { classes: [Entry, Stats] })",
  );
});

test('classes that are not classes, or are built-ins, are refused at sharedClass', () => {
  const bad: [unknown, RegExp][] = [
    ['Stats', /sharedClass\('CodecBad'\): classes\[0\] is a string, not a class/],
    [null, /classes\[0\] is null, not a class/],
    [() => ({}), /classes\[0\] is a function without a prototype, not a class/],
    [Map, /classes\[0\] is Map, whose contents are not fields/],
    [class Counts extends Map {}, /classes\[0\] Counts extends Map, whose contents are not fields/],
    [class Failure extends Error {}, /classes\[0\] Failure extends Error/],
  ];
  for (const [cls, message] of bad) {
    assert.throws(() => sharedClass('CodecBad', class {}, { classes: [cls as typeof Stats] }), { name: 'TypeError', message });
  }
  assert.throws(() => sharedClass('CodecBad', class {}, { classes: Stats as never }), {
    name: 'TypeError',
    message: "sharedClass('CodecBad'): the classes option must be an array of classes",
  });
});

test('a node whose type does not declare the same class at that index refuses the bytes', () => {
  const bytes = encodeState(Ledger.objectType, ledger());
  const cls = Ledger.objectType.stateClass;
  const cases: [(typeof Stats | typeof Entry)[], RegExp][] = [
    [[Stats], /^Ledger state bytes hold an instance of Entry as classes\[1\], but Ledger on this node declares no such class: every node must load the same code$/],
    [[Entry, Stats], /hold an instance of Entry as classes\[1\], but Ledger on this node declares Stats there/],
    [[], /declares no such class/],
  ];
  for (const [classes, message] of cases) {
    const elsewhere = userType('Ledger', cls, { classes, readonly: ['state'] });
    assert.throws(
      () => decodeState(elsewhere, bytes),
      (err: unknown) => err instanceof SerializationError && err.path === 'Ledger state bytes' && message.test(err.message),
    );
  }
});
