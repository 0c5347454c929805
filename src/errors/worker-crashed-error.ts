import { SkeinError } from './skein-error.ts';

/**
 * The worker running a cloud thread died before the thread finished (the process exited or was
 * killed, the worker thread crashed). The thread's side effects up to that point stand; it was
 * not retried unless its task asked for retries.
 */
export class WorkerCrashedError extends SkeinError {
  constructor(message: string) {
    super('EWORKER_CRASHED', message);
  }
}
