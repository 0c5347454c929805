import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hash32, Placement } from '../src/cluster/placement.ts';

const member = fc.integer({ min: 1, max: 400 }).map((n) => `skein://10.0.0.${n % 250}:${7000 + n}`);
const members = fc.uniqueArray(member, { minLength: 1, maxLength: 9 });
const keys = fc.uniqueArray(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 30 });
const rf = fc.integer({ min: 1, max: 4 });

test('owners are distinct members, min(rf, members) of them, whatever order the members are given in', () => {
  fc.assert(
    fc.property(members, keys, rf, (ms, ks, r) => {
      const a = new Placement(ms);
      const b = new Placement([...ms].reverse());
      for (const k of ks) {
        const owners = a.owners(k, r);
        assert.equal(owners.length, Math.min(r, ms.length));
        assert.equal(new Set(owners).size, owners.length);
        for (const o of owners) assert.ok(ms.includes(o));
        assert.deepEqual(b.owners(k, r), owners);
        assert.equal(a.primary(k), owners[0]);
        assert.deepEqual(a.owners(k, r + 1).slice(0, owners.length), owners, 'a larger rf extends the list');
      }
    }),
  );
});

test('a member leaving moves only the keys it owned; each of its places goes to the next in that key\'s ranking', () => {
  fc.assert(
    fc.property(members.filter((ms) => ms.length >= 2), keys, rf, fc.nat(), (ms, ks, r, pick) => {
      const gone = ms[pick % ms.length]!;
      const before = new Placement(ms);
      const after = new Placement(ms.filter((m) => m !== gone));
      for (const k of ks) {
        const old = before.owners(k, r);
        const now = after.owners(k, r);
        if (!old.includes(gone)) assert.deepEqual(now, old);
        else assert.deepEqual(now, before.owners(k, r + 1).filter((m) => m !== gone).slice(0, now.length));
      }
    }),
  );
});

test('a member joining takes places only for itself: every other owner keeps its place or moves down one', () => {
  fc.assert(
    fc.property(members, member, keys, rf, (ms, joining, ks, r) => {
      fc.pre(!ms.includes(joining));
      const before = new Placement(ms);
      const after = new Placement([...ms, joining]);
      for (const k of ks) {
        const old = before.owners(k, r);
        const now = after.owners(k, r);
        if (!now.includes(joining)) assert.deepEqual(now, old);
        else assert.deepEqual(now.filter((m) => m !== joining), old.slice(0, now.length - 1));
      }
    }),
  );
});

test('keys spread evenly: 20 000 keys over 5 members, each primary for 20% +- 2.5 points', () => {
  const ms = [1, 2, 3, 4, 5].map((i) => `skein://127.0.0.1:${7000 + i}`);
  const p = new Placement(ms);
  const count = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const owner = p.primary(`object:${i}`);
    count.set(owner, (count.get(owner) ?? 0) + 1);
  }
  for (const m of ms) {
    const share = (count.get(m) ?? 0) / 20_000;
    assert.ok(Math.abs(share - 0.2) < 0.025, `${m} owns ${(share * 100).toFixed(1)}% of the keys`);
  }
});

test('bad input: no members, rf below 1 or fractional', () => {
  assert.throws(() => new Placement([]), /at least one member/);
  const p = new Placement(['a']);
  for (const r of [0, -1, 1.5, Number.NaN]) assert.throws(() => p.owners('k', r), /rf must be an integer >= 1/);
  assert.equal(hash32(''), hash32(''));
  assert.notEqual(hash32('a'), hash32('b'));
});
