import { SkeinError } from './skein-error.ts';

/**
 * Code that ran elsewhere threw: a method of a shared object on its node (the object keeps the
 * state it had before the call), or a cloud thread (its side effects up to the throw stand).
 * `remoteName` and `message` are the original error's; `remoteStack` is its stack where it was
 * thrown, when one was available.
 */
export class RemoteError extends SkeinError {
  /** The `name` of the error thrown remotely (e.g. `RangeError`, `BrokenBarrierError`). */
  readonly remoteName: string;
  /** The stack of the error where it was thrown, if it had one. */
  readonly remoteStack: string | undefined;
  /**
   * The `code` of the error thrown remotely, when it had a string one: e.g. `ETIMEOUT` for a
   * thread whose own DSO call timed out.
   */
  readonly remoteCode: string | undefined;
  /**
   * Where it was thrown, when the side that received it knows: `thread <id> (task '<name>')` for a
   * cloud thread; `method <name> of <Type> '<key>'` for a method of a shared object, when the
   * client has `callSites` on.
   */
  origin: string | undefined;

  constructor(remoteName: string, message: string, remoteStack?: string, remoteCode?: string, origin?: string) {
    super('EREMOTE', message);
    this.remoteName = remoteName;
    this.remoteStack = remoteStack;
    this.remoteCode = remoteCode;
    this.origin = origin;
  }
}
