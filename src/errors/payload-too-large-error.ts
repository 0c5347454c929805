import { SkeinError } from './skein-error.ts';

/**
 * A cloud thread's argument or result is larger than its platform carries in one invocation
 * (AWS Lambda: 6 MB each way, base64 included). Pass big data through shared objects instead
 * (a `SharedMap`, an `AtomicMatrix`, a user object) and send their handles: a handle is a few
 * bytes.
 */
export class PayloadTooLargeError extends SkeinError {
  constructor(message: string) {
    super('EPAYLOAD_TOO_LARGE', message);
  }
}
