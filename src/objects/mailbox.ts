import { park, type Park } from './monitor.ts';
import { MailboxClosedError } from './object-errors.ts';
import { defineType } from './object-type.ts';
import { intAtLeast, str } from './validate.ts';

/**
 * Node-side state of a cloud thread's mailbox (`skein:mailbox:<thread id>`): messages in the order
 * they arrived, at most `capacity` of them. `put` parks while the mailbox is full and `take` while
 * it holds no message it wants; every call that completes re-runs the parked ones, so a take frees
 * room for a parked put and a put wakes a parked take. Once the thread has ended, `close` drops
 * what is left and the mailbox stays as a tombstone: every later or parked `put` and `take` fails
 * with {@link MailboxClosedError}, so a message to a finished thread is refused, never lost
 * silently.
 */
export class MailboxState {
  readonly capacity: number;
  /** `[sender, value]`, oldest first. */
  readonly messages: Array<[from: string, value: unknown]> = [];
  closed = false;

  constructor(capacity: unknown) {
    this.capacity = intAtLeast(capacity, 1, 'capacity');
  }

  /** Appends a message from `from`; parks while the mailbox is full. */
  put(from: unknown, value: unknown): null | Park {
    const sender = str(from, 'from');
    this.open();
    if (this.messages.length >= this.capacity) return park();
    this.messages.push([sender, value]);
    return null;
  }

  /** Removes and answers the oldest message (from `from`, if given); parks while there is none. */
  take(from?: unknown): [from: string, value: unknown] | Park {
    const sender = from === undefined || from === null ? undefined : str(from, 'from');
    this.open();
    const i = sender === undefined ? (this.messages.length > 0 ? 0 : -1) : this.messages.findIndex(([f]) => f === sender);
    if (i < 0) return park();
    return i === 0 ? this.messages.shift()! : this.messages.splice(i, 1)[0]!;
  }

  /** The thread has ended: drops the messages left and refuses any more; answers how many were dropped. */
  close(): number {
    const dropped = this.messages.length;
    this.messages.length = 0;
    this.closed = true;
    return dropped;
  }

  /** Messages waiting now. */
  size(): number {
    return this.messages.length;
  }

  private open(): void {
    if (this.closed) throw new MailboxClosedError('the thread of this mailbox has ended');
  }
}

/** The `Mailbox` type. */
export const MailboxType = defineType(
  'Mailbox',
  MailboxState,
  {
    put: { arity: [2, 2] },
    take: { arity: [0, 1] },
    close: { arity: [0, 0] },
    size: { readonly: true, arity: [0, 0] },
  },
  { initArity: [1, 1], atomic: true },
);
