import { SkeinError } from './skein-error.ts';

/**
 * A message was sent to a cloud thread that has ended (or a `send` was waiting for room in its
 * mailbox when it ended). The message was not delivered; messages still in the mailbox when the
 * thread ended were dropped.
 */
export class ThreadEndedError extends SkeinError {
  /** The id of the thread that has ended. */
  readonly threadId: string;

  constructor(threadId: string, message: string) {
    super('ETHREAD_ENDED', message);
    this.threadId = threadId;
  }
}
