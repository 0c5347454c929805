/**
 * Messages between cloud threads, as a client carries them: each thread's mailbox is a built-in
 * shared object (`Mailbox`, see `objects/mailbox.ts`) at `skein:mailbox:<thread id>`, created by
 * whoever touches it first (a sender may write before the thread runs). What the guarantees rest
 * on:
 * - exactly once: a `put` or `take` resent after a lost connection or a failover is answered
 *   from the node's kept replies, never applied twice; a call that timed out was withdrawn and
 *   changed nothing;
 * - order per sender and receiver: this client lets one message of a pair be in flight at a
 *   time (the next `put` goes out once the previous one is answered), and the mailbox keeps
 *   arrival order, so a receiver never sees #2 before #1, whatever the reconnects;
 * - back-pressure: `put` parks on the node while the mailbox is full.
 * The public `send`/`recv` (api/messaging.ts) and the worker_threads drop-in are built on this.
 */
import { RemoteError } from '../errors/remote-error.ts';
import { ThreadEndedError } from '../errors/thread-ended-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import type { MailboxState } from '../objects/mailbox.ts';
import type { CallTarget, Client } from './client.ts';

/** How many messages a mailbox holds before `send` waits. */
export const MAILBOX_CAPACITY = 1024;

/** The key of the mailbox of thread `threadId`. */
export function mailboxKey(threadId: string): string {
  return `skein:mailbox:${threadId}`;
}

/** A message as a receiver gets it. */
export interface Message<T = unknown> {
  /** The id of the sending thread. */
  readonly from: string;
  /** The value sent (handles arrive as live handles). */
  readonly value: T;
}

/** A mailbox as a call target; the init args go with every call, as the first may create it. */
class MailboxTarget implements CallTarget {
  readonly type = 'Mailbox';
  readonly init = [MAILBOX_CAPACITY];
  readonly forceNew = false;
  initSent = false;
  constructor(readonly key: string) {}
}

/** The mailboxes of all threads, reached through one client. */
export class Mailboxes {
  /** The last `put` of each `from -> to` pair still in flight or queued. */
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly client: Client) {}

  /**
   * Puts `value` into `to`'s mailbox as sent by `from`, after this client's earlier messages from
   * `from` to `to`; waits while the mailbox is full. `timeoutMs` counts from this call, the wait
   * behind earlier messages included. Rejects with `TimeoutError` (not delivered),
   * `ThreadEndedError` (`to` has ended: not delivered), or the client's errors.
   */
  send(from: string, to: string, value: unknown, timeoutMs?: number): Promise<void> {
    const pair = `${from}\n${to}`;
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const previous = this.tails.get(pair);
    const put = (): Promise<void> => {
      const left = deadline === undefined ? undefined : deadline - Date.now();
      if (left !== undefined && left < 0) {
        return Promise.reject(new TimeoutError(`send to thread ${to} did not get its turn within ${timeoutMs} ms (earlier messages to it were still waiting); it was not delivered`));
      }
      return this.call(to, 'put', [from, value], left).then(() => undefined);
    };
    const sent = previous ? previous.then(put, put) : put();
    this.tails.set(pair, sent);
    const forget = (): void => {
      if (this.tails.get(pair) === sent) this.tails.delete(pair);
    };
    sent.then(forget, forget);
    return sent;
  }

  /**
   * Takes the oldest message in `owner`'s mailbox (the oldest from `from`, if given), waiting for
   * one; `TimeoutError` after `timeoutMs` (nothing taken).
   */
  async recv<T>(owner: string, from?: string, timeoutMs?: number): Promise<Message<T>> {
    const [sender, value] = (await this.call(owner, 'take', from === undefined ? [] : [from], timeoutMs)) as [string, T];
    return { from: sender, value };
  }

  /**
   * Closes `owner`'s mailbox for good, its thread having ended: messages left in it are dropped,
   * and sends to it, waiting or later, fail with `ThreadEndedError`. Resolves to how many were
   * dropped.
   */
  close(owner: string): Promise<number> {
    return this.call(owner, 'close', [], undefined) as Promise<number>;
  }

  /** Calls a method of `owner`'s mailbox; the compiler holds `method` to one of `MailboxState`'s. */
  private async call(owner: string, method: Exclude<keyof MailboxState, 'capacity' | 'messages' | 'closed'>, args: unknown[], timeoutMs: number | undefined): Promise<unknown> {
    try {
      return await this.client.call(new MailboxTarget(mailboxKey(owner)), method, args, timeoutMs === undefined ? undefined : Math.min(Math.max(0, Math.ceil(timeoutMs)), 2 ** 31 - 1));
    } catch (err) {
      if (err instanceof RemoteError && err.remoteName === 'MailboxClosedError') {
        throw new ThreadEndedError(owner, `thread ${owner} has ended; ${method === 'put' ? 'the message was not delivered' : 'its mailbox is closed'}`);
      }
      throw err;
    }
  }
}

const byClient = new WeakMap<Client, Mailboxes>();

/** The {@link Mailboxes} of `client` (one per client, so its per-pair order holds across callers). */
export function mailboxes(client: Client): Mailboxes {
  let m = byClient.get(client);
  if (!m) byClient.set(client, (m = new Mailboxes(client)));
  return m;
}
