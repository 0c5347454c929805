import { SkeinError } from './skein-error.ts';

/**
 * The connection to a DSO node closed (or the node shut down) while the call was in flight. The
 * call may or may not have been applied; a parked (blocking) call that was still waiting was not.
 * Later calls on the same client open a new connection.
 */
export class ConnectionClosedError extends SkeinError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ECLOSED', message, options);
  }
}
