/**
 * Retries, in one place: when the client sends a call again and for how long (its retry window),
 * and the one backoff that every retry in Skein waits with (the client's resends, the lambda and
 * http backends' throttled invocations).
 *
 * The window applies to a DSO the client has reached: a call whose connection was lost, or whose
 * object is moving, is resent until the window closes. A client that has never completed a
 * handshake retries nothing: a refused connection, an unknown host or a refused token on the first
 * contact is an answer, not a transient failure, and the call fails with it at once.
 */
import { ConnectionClosedError } from '../errors/connection-closed-error.ts';
import type { SkeinError } from '../errors/skein-error.ts';
import type { EncodedMessage } from '../protocol/frame-batch.ts';
import type { Topology } from '../protocol/messages.ts';
import type { Connection, Fallback, Resend } from './connection.ts';

/** The bounds of a backoff: attempt `n` waits a random time up to `min(capMs, baseMs * 2^n)`. */
export interface BackoffBounds {
  readonly baseMs: number;
  readonly capMs: number;
}

/** How the client paces resends to a cluster that is changing: 10 ms doubling up to 250 ms. */
const RESEND_BACKOFF: BackoffBounds = { baseMs: 10, capMs: 250 };

/** The longest `Retry-After` {@link backoff} honours. */
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * Waits before retry `attempt` (0 for the first): the other side's `retryAfterMs` when it gave one
 * (at most {@link MAX_RETRY_AFTER_MS}), else full jitter, a random wait up to
 * `min(capMs, baseMs * 2^attempt)`, so a crowd of clients that failed together does not come back
 * in step.
 */
export function backoff(attempt: number, bounds: BackoffBounds, retryAfterMs?: number): Promise<void> {
  const ms =
    retryAfterMs !== undefined && retryAfterMs > 0
      ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)
      : Math.random() * Math.min(bounds.capMs, bounds.baseMs * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The retry window when neither the option nor `SKEIN_RETRY_WINDOW_MS` sets one. */
export const DEFAULT_RETRY_WINDOW_MS = 10_000;

/**
 * `SKEIN_RETRY_WINDOW_MS`, the default retry window of every client of the process (cloud threads'
 * too); undefined when unset or empty. Not a whole number: a `TypeError` naming it.
 */
export function retryWindowFromEnv(): number | undefined {
  const raw = process.env.SKEIN_RETRY_WINDOW_MS;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new TypeError(`SKEIN_RETRY_WINDOW_MS must be a whole number of milliseconds, got '${raw}'`);
  return Number(raw);
}

/** What retrying needs of the client. */
export interface RetryHost {
  /** How long (ms) after its first failure a request is tried again. */
  readonly retryWindowMs: number;
  /** Whether the client was closed (then nothing is retried). */
  readonly closed: boolean;
  /** Whether the client has ever completed a handshake with a node of its DSO. */
  readonly reached: boolean;
  /** Adopts `topology` if it is newer than the client's; answers whether it did. */
  adopt(topology: Topology): boolean;
  /** Learns the topology again from any member or seed that answers. */
  refresh(): Promise<void>;
  /** The connection to the member that owns `key`, as far as the client knows. */
  route(key: string): Connection;
}

/** Whether a request that failed may be tried again at all (the window aside). */
function mayRetry(host: RetryHost): boolean {
  return host.reached && !host.closed && host.retryWindowMs > 0;
}

/**
 * Sends a call again, with its id, until it is answered or the retry window closes: after a
 * MOVED (to the owner the new topology names) or a lost connection (once the topology is known
 * again). The first failure starts the window. The node's kept replies make the resend safe.
 */
export class Retry implements Resend {
  private deadline = 0;
  private attempts = 0;
  constructor(
    private readonly host: RetryHost,
    private readonly message: EncodedMessage,
    private readonly fallback: Fallback | undefined,
    private readonly key: string,
  ) {}

  async moved(topology: Topology): Promise<unknown> {
    this.start();
    if (!this.host.adopt(topology)) {
      // The node had no newer view to give (it is not serving, or not yet): ask the others.
      await this.pause(new ConnectionClosedError('the cluster did not settle on an owner for this object in time'));
      await this.host.refresh();
    }
    return this.again();
  }

  async lost(err: SkeinError): Promise<unknown> {
    if (!mayRetry(this.host)) throw err;
    this.start();
    await this.pause(err);
    await this.host.refresh();
    return this.again();
  }

  private start(): void {
    if (this.deadline === 0) this.deadline = Date.now() + this.host.retryWindowMs;
  }

  /** Backs off before the next attempt; throws `err` once the window has closed. */
  private async pause(err: SkeinError): Promise<void> {
    if (this.host.closed || Date.now() >= this.deadline) throw err;
    await backoff(this.attempts++, RESEND_BACKOFF);
  }

  private again(): Promise<unknown> {
    if (this.host.closed) return Promise.reject(new ConnectionClosedError('the client was closed'));
    return this.host.route(this.key).send(this.message, this.fallback, this.key, this);
  }
}

/**
 * Runs `request`, one that changes nothing (ping, keys, info, describe), again while it fails for
 * a lost connection, after learning the topology anew, within the retry window.
 */
export async function again<T>(host: RetryHost, request: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + host.retryWindowMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (!(err instanceof ConnectionClosedError) || !mayRetry(host) || Date.now() >= deadline) throw err;
      await backoff(attempt, RESEND_BACKOFF);
      await host.refresh();
    }
  }
}
