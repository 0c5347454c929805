import { once, type EventEmitter } from 'node:events';

/**
 * Resolves once `done()` holds, checked after every `'step'` that `progress` emits (loops of calls
 * emit one per acknowledged call); rejects if a loop fails, or if they all stop first.
 */
export async function until(progress: EventEmitter, loops: readonly Promise<void>[], done: () => boolean): Promise<void> {
  const stopped = Promise.all(loops).then(() => {
    throw new Error('the loops stopped before the condition held');
  });
  stopped.catch(() => undefined);
  while (!done()) await Promise.race([once(progress, 'step'), stopped]);
}
