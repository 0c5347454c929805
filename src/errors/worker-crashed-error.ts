import { SkeinError } from './skein-error.ts';

/**
 * The worker running a cloud thread died before the thread finished (the process exited or was
 * killed, the worker thread crashed), or a serverless backend lost it: the connection of an
 * invocation broke once it was sent (the message says it is unknown whether the thread ran: it
 * may have run, in part or to the end), or the invocation never started (still throttled after
 * the backend's retries, the function unreachable; the message says it was not started). The
 * thread's side effects up to that point stand; it was not retried unless its task asked for
 * retries.
 */
export class WorkerCrashedError extends SkeinError {
  constructor(message: string) {
    super('EWORKER_CRASHED', message);
  }
}
