import { defaultClient } from '../client/default-client.ts';
import { mailboxes, type Message } from '../client/mailbox.ts';
import { describe } from '../errors/describe-value.ts';
import { checkSerializable } from '../runtime/serializable.ts';
import { currentThreadId, isThreadId } from '../runtime/thread-id.ts';

export type { Message } from '../client/mailbox.ts';

/** Options of {@link send}. */
export interface SendOptions {
  /**
   * Give up after this many milliseconds (waiting for room in a full mailbox, or behind this
   * thread's earlier messages to the same receiver) with a `TimeoutError`; the message was not
   * delivered. Default: wait as long as it takes.
   */
  timeoutMs?: number;
}

/** Options of {@link recv}. */
export interface RecvOptions {
  /** Take only a message from this thread (others stay in the mailbox, in their order). */
  from?: string;
  /** Give up after this many milliseconds with a `TimeoutError`; nothing was taken. */
  timeoutMs?: number;
}

/**
 * The id of the cloud thread this code runs in: the same as `ThreadHandle.id` and
 * `CloudThread.id` where it was spawned. Outside a cloud thread (the main program), the id of the
 * program itself, which other threads can `send` to as well. Ids are unique across processes and
 * machines.
 */
export function threadId(): string {
  return currentThreadId();
}

/**
 * Sends `value` to the thread `to` (its id) through the DSO, from this thread. Resolves once the
 * message is in `to`'s mailbox. Reliable and ordered per sender and receiver: a message is
 * delivered exactly once, and `to` receives this thread's messages in the order they were sent
 * (sends need not be awaited one by one for that). A mailbox holds at most 1024 messages: while
 * `to`'s is full, `send` waits (back-pressure). `value` is a msgpack value (handles travel as
 * references; `undefined` arrives as `null`). A thread may be sent messages before it starts;
 * once it has ended they are refused.
 *
 * Throws at the call: `TypeError` if `to` is not a thread id or `timeoutMs` is not a number >= 0,
 * `SerializationError` if `value` cannot travel, `AddressError` if there is no DSO. Rejects with
 * `TimeoutError` after `timeoutMs` (not delivered) and `ThreadEndedError` if `to` has ended (not
 * delivered).
 */
export function send(to: string, value: unknown, opts: SendOptions = {}): Promise<void> {
  if (!isThreadId(to)) throw new TypeError(`send needs a thread id (threadId(), ThreadHandle.id or CloudThread.id), got ${describe(to)}`);
  const timeoutMs = checkTimeout(opts, 'send');
  checkSerializable(value, 'value');
  return mailboxes(defaultClient()).send(currentThreadId(), to, value, timeoutMs);
}

/**
 * Takes the oldest message in this thread's mailbox (the oldest from `from`, if given), waiting
 * until there is one; resolves to its sender and value. Messages from one sender come in the
 * order it sent them.
 *
 * Throws at the call: `TypeError` if `from` is not a thread id or `timeoutMs` is not a number
 * >= 0, `AddressError` if there is no DSO. Rejects with `TimeoutError` after `timeoutMs`
 * (nothing was taken).
 */
export function recv<T = unknown>(opts: RecvOptions = {}): Promise<Message<T>> {
  const { from } = opts;
  if (from !== undefined && !isThreadId(from)) throw new TypeError(`recv's from needs a thread id, got ${describe(from)}`);
  const timeoutMs = checkTimeout(opts, 'recv');
  return mailboxes(defaultClient()).recv<T>(currentThreadId(), from, timeoutMs);
}

function checkTimeout(opts: { timeoutMs?: number }, what: string): number | undefined {
  const ms = opts.timeoutMs;
  if (ms === undefined) return undefined;
  if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeError(`${what}'s timeoutMs must be a number >= 0, got ${describe(ms)}`);
  return ms;
}
