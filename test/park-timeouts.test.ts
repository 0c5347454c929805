import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParkTimeouts, type Timed, type TimeoutBatch } from '../src/server/park-timeouts.ts';

class Call implements Timed {
  timeout: TimeoutBatch | undefined;
  constructor(readonly name: string) {}
}

/** Lets the current turn end (the microtask that closes the turn's batches runs). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('calls parked in one turn with one bound share a timer; each expires once unless cancelled', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const expired: string[] = [];
  const timeouts = new ParkTimeouts<Call>((c) => expired.push(c.name));
  const [a, b, c] = [new Call('a'), new Call('b'), new Call('c')];
  for (const call of [a, b, c]) timeouts.start(call, 100);
  assert.equal(a.timeout, b.timeout, 'one batch');
  timeouts.cancel(b);
  assert.equal(b.timeout, undefined);
  t.mock.timers.tick(99);
  assert.deepEqual(expired, []);
  t.mock.timers.tick(1);
  assert.deepEqual(expired, ['a', 'c']);
  assert.equal(a.timeout, undefined);
  t.mock.timers.tick(1000);
  assert.deepEqual(expired, ['a', 'c'], 'nothing expires twice');
});

test('a later turn, or another bound, starts its own timer', async (t) => {
  // setImmediate stays real so turns can end while setTimeout is mocked.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const expired: string[] = [];
  const timeouts = new ParkTimeouts<Call>((c) => expired.push(c.name));
  const first = new Call('first');
  const other = new Call('other bound');
  timeouts.start(first, 100);
  timeouts.start(other, 30);
  assert.notEqual(first.timeout, other.timeout);
  await nextTurn();
  t.mock.timers.tick(50);
  assert.deepEqual(expired, ['other bound']);
  const second = new Call('second');
  timeouts.start(second, 100);
  assert.notEqual(second.timeout, first.timeout, 'a new turn opens a new batch');
  t.mock.timers.tick(50);
  assert.deepEqual(expired, ['other bound', 'first']);
  t.mock.timers.tick(50);
  assert.deepEqual(expired, ['other bound', 'first', 'second']);
});

test('a batch whose calls were all cancelled clears its timer; a call parked after that in the same turn still times out', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const expired: string[] = [];
  const timeouts = new ParkTimeouts<Call>((c) => expired.push(c.name));
  const [a, b] = [new Call('a'), new Call('b')];
  timeouts.start(a, 100);
  const batch = a.timeout!;
  timeouts.start(b, 100);
  timeouts.cancel(a);
  timeouts.cancel(b);
  timeouts.cancel(b);
  assert.equal(batch.live, 0);
  const c = new Call('c');
  timeouts.start(c, 100);
  assert.notEqual(c.timeout, batch);
  t.mock.timers.tick(100);
  assert.deepEqual(expired, ['c']);
});

test('expiring one call may cancel others of its batch (a woken call completes): they do not expire', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const expired: string[] = [];
  const calls = [new Call('a'), new Call('b'), new Call('c')];
  const timeouts: ParkTimeouts<Call> = new ParkTimeouts<Call>((c) => {
    expired.push(c.name);
    if (c.name === 'a') timeouts.cancel(calls[2]!);
  });
  for (const c of calls) timeouts.start(c, 10);
  t.mock.timers.tick(10);
  assert.deepEqual(expired, ['a', 'b']);
});
