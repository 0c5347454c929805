import { SkeinError } from './skein-error.ts';

/**
 * No DSO node could be reached for a call within the client's retry window (a call in flight
 * when its connection closed is resent with its id until then, and a node that applied it
 * answers without applying it again), or the client was closed. A call that fails this way may
 * or may not have been applied; a parked (blocking) call that was still waiting was not. Later
 * calls on the same client open a new connection.
 */
export class ConnectionClosedError extends SkeinError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ECLOSED', message, options);
  }
}
