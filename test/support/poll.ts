import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Reads `read()` until `done` accepts the value, at most `tries` times, yielding a turn of the
 * event loop between reads; resolves to the last value read, so the caller asserts on it. For
 * node-side state that changes with no event to wait on (e.g. a barrier's `waiting()` after a
 * client disconnects).
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, tries = 2000): Promise<T> {
  let value = await read();
  for (let i = 1; i < tries && !done(value); i++) {
    await nextTurn();
    value = await read();
  }
  return value;
}
