import { SkeinError } from './skein-error.ts';

/**
 * A method of a shared object threw on the node. `remoteName` and `message` are the original
 * error's; `remoteStack` is its stack on the node when one was available. The object keeps the
 * state it had before the call.
 */
export class RemoteError extends SkeinError {
  /** The `name` of the error thrown on the node (e.g. `RangeError`, `BrokenBarrierError`). */
  readonly remoteName: string;
  /** The stack of the error on the node, if it had one. */
  readonly remoteStack: string | undefined;

  constructor(remoteName: string, message: string, remoteStack?: string) {
    super('EREMOTE', message);
    this.remoteName = remoteName;
    this.remoteStack = remoteStack;
  }
}
