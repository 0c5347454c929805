import { SkeinError } from './skein-error.ts';

/**
 * A blocking call (barrier, latch, semaphore, lock, future, `blockUntil`) did not complete within
 * its `timeoutMs`. The call was withdrawn on the node: it took nothing and changed nothing.
 */
export class TimeoutError extends SkeinError {
  constructor(message: string) {
    super('ETIMEOUT', message);
  }
}
