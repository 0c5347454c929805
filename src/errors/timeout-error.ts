import { SkeinError } from './skein-error.ts';

/**
 * A blocking call (barrier, latch, semaphore, lock, future, `blockUntil`) did not complete within
 * its `timeoutMs`. The call was withdrawn on the node: it took nothing and changed nothing.
 * A cloud thread that ran past the process backend's `timeoutMs` fails with it too: its process
 * was killed, and the side effects it had made stand.
 */
export class TimeoutError extends SkeinError {
  constructor(message: string) {
    super('ETIMEOUT', message);
  }
}
