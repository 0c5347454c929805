/**
 * Errors that built-in objects throw on the node. They reach callers as a `RemoteError` whose
 * `remoteName` is the class name below.
 */

/** A barrier was reset while the call waited on it. */
export class BrokenBarrierError extends Error {
  override name = 'BrokenBarrierError';
}

/** The call is not allowed in the object's current state (unlocking a lock nobody holds, ...). */
export class IllegalStateError extends Error {
  override name = 'IllegalStateError';
}

/** `SharedFuture.get` on a future completed with `fail(message)`. */
export class FutureFailedError extends Error {
  override name = 'FutureFailedError';
}

/**
 * A repeatable-read session read an object whose snapshot for it is gone (the object keeps a
 * bounded number of session snapshots): answering another version would break the guarantee.
 */
export class SessionExpiredError extends Error {
  override name = 'SessionExpiredError';
}

/** A message to, or a receive from, the mailbox of a cloud thread that has ended. */
export class MailboxClosedError extends Error {
  override name = 'MailboxClosedError';
}
