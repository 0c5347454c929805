import { AuthError } from '../../errors/auth-error.ts';
import { PayloadTooLargeError } from '../../errors/payload-too-large-error.ts';
import { TimeoutError } from '../../errors/timeout-error.ts';
import { WorkerCrashedError } from '../../errors/worker-crashed-error.ts';
import type { Backend } from '../backend.ts';
import type { FunctionAddress } from '../function-relay.ts';
import { functionSecret, SECRET_ENV, SIGNATURE_HEADER, signEnvelope } from '../signature.ts';
import { backoff } from '../../client/retry.ts';
import { INVOKE_BACKOFF, RemoteBackend } from './remote-backend.ts';

/** Content type of an envelope POSTed to an HTTP function, and of the outcome it answers. */
export const ENVELOPE_CONTENT_TYPE = 'application/vnd.skein.envelope';
/** Content type of the outcome an HTTP function answers. */
export const OUTCOME_CONTENT_TYPE = 'application/vnd.skein.outcome';

/** Options of the {@link HttpBackend}. */
export interface HttpBackendOptions {
  /** Where the function listens (Knative service, OpenFaaS function, Cloud Run URL, ...). */
  url: string;
  /**
   * The secret every request is signed with, shared with the function (at least 16 characters);
   * default the environment's `SKEIN_FUNCTION_SECRET`. Required: the backend sends nothing
   * unsigned.
   */
  secret?: string;
  /** Extra request headers (an `Authorization` for a gateway, ...). */
  headers?: Record<string, string>;
  /** Invocations in flight at most; more wait here (default 100). */
  concurrency?: number;
  /**
   * Give up on an invocation after this many ms (`TimeoutError`; the thread may run on); default
   * none of ours, but Node's `fetch` gives up on an answer not begun within 300 s (undici's
   * `headersTimeout`), which fails the thread as one whose outcome is unknown.
   */
  timeoutMs?: number;
  /** Throttled invocations (429, 503 with Retry-After) are retried this many times (default 8). */
  throttleRetries?: number;
}

/** Failures of `fetch` (their cause's code) that come before the request is sent: the function did not run. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Runs cloud threads by POSTing their envelope to an HTTP function that runs `skein/http`'s
 * handler (Knative, OpenFaaS, Cloud Run style): the body is the envelope's bytes, the answer the
 * outcome's. Failures map as the Lambda backend's do: 408 and 504 are a `TimeoutError`, 413 a
 * `PayloadTooLargeError`, any other status a `WorkerCrashedError` naming it and the start of the
 * body, and 401 (the function refused the request's signature: it ran nothing) an `AuthError`.
 *
 * Every request carries an `x-skein-signature` header (see `runtime/signature.ts`): HMAC-SHA256
 * with the shared secret over a timestamp, a nonce and the exact body. Each attempt is signed
 * anew, since a function accepts a signature once.
 *
 * An envelope is POSTed again only when the answer proves the function did not run it: 429, or
 * 503 with `Retry-After` (a platform out of capacity; `skein/http` answers neither), up to
 * `throttleRetries` times, waiting `Retry-After` or a full-jitter backoff. (`fetch` itself resends
 * on a 421 from a reused connection, which per RFC 9110 the server did not process.) A connection
 * that fails once the request may have left is a `WorkerCrashedError` saying it is unknown
 * whether the thread ran; one never made (refused, no DNS name, connect timeout) says it was not
 * started. Neither is POSTed again; only the task's own `retries` run the thread again.
 */
export class HttpBackend extends RemoteBackend implements Backend {
  readonly name = 'http';
  private readonly throttleRetries: number;
  private readonly secret: string;

  constructor(private readonly opts: HttpBackendOptions) {
    super(opts.concurrency ?? 100);
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new TypeError(`the http backend needs a URL, got '${opts.url}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`the http backend needs an http(s) URL, got '${opts.url}'`);
    this.throttleRetries = opts.throttleRetries ?? 8;
    const secret = functionSecret(opts.secret, 'the http backend');
    if (secret === undefined) {
      throw new TypeError(`the http backend signs every envelope with a secret it shares with the function: set ${SECRET_ENV} (or pass the secret option)`);
    }
    this.secret = secret;
  }

  /** The function's URL (never its secret, nor the extra `headers`: a relaying function sends its own signature only). */
  get address(): FunctionAddress {
    return { http: this.opts.url };
  }

  protected async call(envelope: Uint8Array, threadId: string): Promise<Uint8Array> {
    const where = this.opts.url;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(where, {
          method: 'POST',
          headers: {
            'content-type': ENVELOPE_CONTENT_TYPE,
            accept: OUTCOME_CONTENT_TYPE,
            ...this.opts.headers,
            [SIGNATURE_HEADER]: signEnvelope(this.secret, envelope),
          },
          body: envelope as Uint8Array<ArrayBuffer>,
          ...(this.opts.timeoutMs !== undefined ? { signal: AbortSignal.timeout(this.opts.timeoutMs) } : {}),
        });
      } catch (err) {
        const e = err as Error;
        if (e.name === 'TimeoutError') throw new TimeoutError(`thread ${threadId} on ${where} ran past ${this.opts.timeoutMs} ms; it may run on, it was not sent again`);
        const cause = e.cause as NodeJS.ErrnoException | undefined;
        const what = cause ? `${cause.code ?? cause.name}: ${cause.message}` : e.message;
        if (cause?.code !== undefined && NOT_SENT.has(cause.code)) throw new WorkerCrashedError(`thread ${threadId} was not started: ${where} could not be reached (${what})`);
        throw new WorkerCrashedError(
          `it is unknown whether thread ${threadId} ran on ${where}: the request failed (${what}); it may have run, in part or to the end; it was not sent again (a task with retries runs again)`,
        );
      }
      if (res.ok) return new Uint8Array(await res.arrayBuffer());
      const body = (await res.text().catch(() => '')).slice(0, 500);
      const throttled = res.status === 429 || (res.status === 503 && res.headers.has('retry-after'));
      if (throttled && attempt < this.throttleRetries) {
        await backoff(attempt, INVOKE_BACKOFF, Number(res.headers.get('retry-after')) * 1000);
        continue;
      }
      if (res.status === 408 || res.status === 504) throw new TimeoutError(`thread ${threadId} on ${where} timed out (HTTP ${res.status}): ${body}`);
      if (res.status === 401) {
        throw new AuthError(
          `thread ${threadId} was not run: ${where} refused the request (HTTP 401: ${body.trim()}); the app and the function must share ${SECRET_ENV}, and their clocks agree within the function's tolerance`,
        );
      }
      if (res.status === 413) {
        throw new PayloadTooLargeError(`thread ${threadId}'s envelope is over ${where}'s request limit (HTTP 413): pass big data through shared objects and send their handles`);
      }
      throw new WorkerCrashedError(`thread ${threadId} on ${where} failed: HTTP ${res.status} ${res.statusText}: ${body}`);
    }
  }
}
