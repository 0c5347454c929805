import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlight } from '../src/runtime/in-flight.ts';

/** A promise settled by hand (Node 20 has no Promise.withResolvers). */
function gate<T>(): { promise: Promise<T>; resolve(value: T): void; reject(err: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('settled() waits for every tracked promise, resolved or rejected, and never rejects', async () => {
  const inFlight = new InFlight();
  const ok = gate<number>();
  const failing = gate<number>();
  assert.equal(inFlight.track(ok.promise), ok.promise, 'track answers the promise itself');
  const tracked = inFlight.track(failing.promise);
  assert.equal(inFlight.size, 2);
  let drained = false;
  const settled = inFlight.settled().then(() => (drained = true));
  ok.resolve(1);
  // Its continuation runs after the tracker's, which was registered first.
  await ok.promise;
  assert.equal(drained, false, 'one is still running');
  assert.equal(inFlight.size, 1, 'a settled promise is forgotten');
  failing.reject(new Error('thread failed'));
  await assert.rejects(tracked, /thread failed/);
  await settled;
  assert.equal(drained, true);
  assert.equal(inFlight.size, 0);
});

test('settled() with nothing in flight resolves, and does not wait for promises tracked after it', async () => {
  const inFlight = new InFlight();
  await inFlight.settled();
  const first = gate<void>();
  inFlight.track(first.promise);
  const settled = inFlight.settled();
  const later = gate<void>();
  inFlight.track(later.promise);
  first.resolve();
  await settled;
  assert.equal(inFlight.size, 1, 'the later one is still tracked');
  later.resolve();
  await inFlight.settled();
  assert.equal(inFlight.size, 0);
});
