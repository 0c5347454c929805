import { RemoteError } from '../errors/remote-error.ts';
import { splitStack } from '../errors/stack-frames.ts';

/** Errors whose stack already shows a call site (an error several calls share keeps the first's). */
const placed = new WeakSet<object>();

/**
 * Settles as `pending` does. When it rejects, the error's stack frames become those of the code
 * that awaited it (V8's async stack trace, taken in the rejection path only: nothing is captured
 * on a call that succeeds, but the wrapper costs a promise per call), in place of the client's
 * socket-handler frames that no user wrote; and, given `origin`, a `RemoteError` with none gets
 * it (where it came from, e.g. `method get of SharedList 'xs'`). Frames are found through
 * `await`: a caller that chains `.then` instead shows none of its own.
 */
export async function atCallSite<T>(pending: Promise<T>, origin?: () => string): Promise<T> {
  try {
    return await pending;
  } catch (err) {
    if (origin && err instanceof RemoteError && err.origin === undefined) err.origin = origin();
    if (err instanceof Error && !placed.has(err)) {
      placed.add(err);
      // The first frame is this function's own; the rest are the awaiting callers'.
      const callers = splitStack(new Error().stack ?? '').frames.slice(1);
      if (callers.length > 0) err.stack = [splitStack(err.stack ?? `${err.name}: ${err.message}`).header, ...callers].join('\n');
    }
    throw err;
  }
}
