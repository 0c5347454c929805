import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import { PayloadTooLargeError } from '../../errors/payload-too-large-error.ts';
import { SkeinError } from '../../errors/skein-error.ts';
import { TimeoutError } from '../../errors/timeout-error.ts';
import { WorkerCrashedError } from '../../errors/worker-crashed-error.ts';
import type { Backend } from '../backend.ts';
import type { FunctionAddress } from '../function-relay.ts';
import { backoff } from '../../client/retry.ts';
import { importDependency } from '../optional-dependency.ts';
import { INVOKE_BACKOFF, RemoteBackend } from './remote-backend.ts';

/** Lambda's limit on a synchronous invocation's request and response payloads. */
export const LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024;

/** Lambda's longest function timeout, in seconds: how long an answer may take when the function's own is not given. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** What an answer may take beyond the function's timeout: a cold start's init phase (up to 10 s) and the network. */
const ANSWER_MARGIN_MS = 60_000;

/** A connection to Lambda not made within this is given up; nothing was sent, so the invocation is retried. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Options of the {@link LambdaBackend}. */
export interface LambdaBackendOptions {
  /** The function (name, ARN or partial ARN) deployed with `skein deploy lambda`. */
  functionName: string;
  /** AWS region; default the SDK's (AWS_REGION, profile). */
  region?: string;
  /** Another endpoint than AWS's (an emulator, a proxy); default the SDK's (AWS_ENDPOINT_URL_LAMBDA). */
  endpoint?: string;
  /** Invocations in flight at most; more wait here (default 100: AWS's burst is account-wide). */
  concurrency?: number;
  /**
   * Invocations that provably did not run are sent again this many times, with full-jitter
   * backoff (default 8): those Lambda throttled (429) and those whose connection was never made.
   * No other failure is retried here (see {@link LambdaBackend}).
   */
  throttleRetries?: number;
  /**
   * The function's timeout in seconds, as deployed (`skein deploy lambda --timeout`); default
   * {@link LAMBDA_MAX_TIMEOUT_SECONDS}. The client waits that long and a minute more for an answer
   * (and lets its connection idle that long) before it gives the thread up as unknown.
   */
  functionTimeoutSeconds?: number;
  /**
   * Settings passed to the SDK client (credentials, a custom `requestHandler`, ...). They win over
   * the backend's, except retries, which the backend owns: the client always makes one attempt
   * (`maxAttempts: 1`, `retryMode: 'standard'`, so neither `AWS_MAX_ATTEMPTS` nor
   * `AWS_RETRY_MODE` applies), and a `maxAttempts` other than 1, a `retryMode` or a
   * `retryStrategy` here is a `TypeError`. A `requestHandler` here replaces the backend's, and
   * with it the timeouts above and the socket limit of `concurrency`.
   */
  clientConfig?: LambdaClientConfig;
}

/** The event the `skein/lambda` handler takes, and what it answers. */
interface LambdaResult {
  outcome?: unknown;
}

/** What Lambda answers for an invocation whose handler failed (`X-Amz-Function-Error`). */
interface FunctionErrorPayload {
  errorType?: unknown;
  errorMessage?: unknown;
  trace?: unknown;
}

/**
 * Runs cloud threads as synchronous (RequestResponse) invocations of an AWS Lambda function that
 * runs the `skein/lambda` handler (`skein deploy lambda` makes one). Failures map to what local
 * threads give: the thread's own error comes back inside the outcome; a function that timed out
 * is a `TimeoutError`; one that crashed or could not load is a `WorkerCrashedError` naming
 * Lambda's errorType and message; an argument over 6 MB is a `PayloadTooLargeError` before
 * anything is sent. At most `concurrency` invocations are in flight.
 *
 * A thread runs at most once per attempt of its task: this backend alone retries, and only an
 * invocation that provably did not run: one Lambda throttled (429 `TooManyRequestsException`,
 * refused before any container took it), or one whose connection was never made (refused,
 * `ECONNREFUSED`; a DNS lookup that may pass, `EAI_AGAIN`; no connection within 10 s), up to
 * `throttleRetries` times with full-jitter backoff. The SDK's own retries are off: it would send
 * again after a reset connection or a 5xx, when the function may have run. Any failure after the
 * invocation was sent without Lambda's answer (a reset or broken connection, no answer within the
 * function's timeout and a minute, a 5xx) is a `WorkerCrashedError` saying it is unknown whether
 * the thread ran; only the task's own `retries` run it again.
 */
export class LambdaBackend extends RemoteBackend implements Backend {
  readonly name = 'lambda';
  /**
   * The SDK client, made at the first invocation: the SDK (an optional peer dependency) is imported
   * then, so a program (or a Lambda bundle, where the runtime provides the SDK) that never uses this
   * backend never loads it, and one without it installed fails its threads with a
   * `MissingDependencyError`.
   */
  private client: Promise<{ client: LambdaClient; InvokeCommand: typeof import('@aws-sdk/client-lambda').InvokeCommand }> | undefined;
  private readonly throttleRetries: number;
  /** How long an invocation's answer may take, in ms: the function's timeout and a margin. */
  private readonly answerWithinMs: number;

  constructor(private readonly opts: LambdaBackendOptions) {
    super(opts.concurrency ?? 100);
    if (typeof opts.functionName !== 'string' || opts.functionName === '') throw new TypeError('the lambda backend needs a functionName');
    this.throttleRetries = opts.throttleRetries ?? 8;
    const timeout = opts.functionTimeoutSeconds ?? LAMBDA_MAX_TIMEOUT_SECONDS;
    if (!(timeout > 0 && Number.isFinite(timeout))) throw new RangeError(`functionTimeoutSeconds must be a positive number, got ${timeout}`);
    this.answerWithinMs = timeout * 1000 + ANSWER_MARGIN_MS;
    const config = opts.clientConfig ?? {};
    if ((config.maxAttempts !== undefined && config.maxAttempts !== 1) || config.retryMode !== undefined || config.retryStrategy !== undefined) {
      throw new TypeError(
        'the lambda backend owns retries (it sends again only what provably did not run): leave maxAttempts, retryMode and retryStrategy out of clientConfig, and set throttleRetries',
      );
    }
  }

  /** The function, with the region and endpoint given to this backend (never `clientConfig`: it may hold credentials). */
  get address(): FunctionAddress {
    return { lambda: this.opts.functionName, ...(this.opts.region ? { region: this.opts.region } : {}), ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}) };
  }

  protected call(envelope: Uint8Array, threadId: string): Promise<Uint8Array> {
    const payload = Buffer.from(JSON.stringify({ skein: 1, envelope: Buffer.from(envelope).toString('base64') }));
    if (payload.length > LAMBDA_PAYLOAD_LIMIT) {
      return Promise.reject(
        new PayloadTooLargeError(
          `thread ${threadId}'s invocation is ${payload.length} bytes, over Lambda's ${LAMBDA_PAYLOAD_LIMIT}-byte limit; pass big data through shared objects (a SharedMap, an AtomicMatrix) and send their handles`,
        ),
      );
    }
    return this.invokeWithRetries(payload, threadId);
  }

  protected override async dispose(): Promise<void> {
    (await this.client?.catch(() => undefined))?.client.destroy();
  }

  private sdk(): NonNullable<LambdaBackend['client']> {
    const agent = (): { keepAlive: true; maxSockets: number } => ({ keepAlive: true, maxSockets: this.opts.concurrency ?? 100 });
    this.client ??= importDependency<typeof import('@aws-sdk/client-lambda')>('@aws-sdk/client-lambda', 'the lambda backend').then(({ LambdaClient, InvokeCommand }) => ({
      client: new LambdaClient({
        ...(this.opts.region ? { region: this.opts.region } : {}),
        ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}),
        // The SDK makes its NodeHttpHandler of these. A synchronous invocation's connection is
        // silent until the function answers: both the idle (socket) and the whole-request limit
        // outlast the function's timeout, set here so no service default of the SDK's applies.
        // As many sockets as invocations in flight, none queued behind the SDK's default of 50.
        requestHandler: {
          connectionTimeout: CONNECT_TIMEOUT_MS,
          requestTimeout: this.answerWithinMs,
          throwOnRequestTimeout: true,
          socketTimeout: this.answerWithinMs,
          httpAgent: agent(),
          httpsAgent: agent(),
        },
        ...this.opts.clientConfig,
        maxAttempts: 1,
        retryMode: 'standard',
      }),
      InvokeCommand,
    }));
    return this.client;
  }

  private async invokeWithRetries(payload: Uint8Array, threadId: string): Promise<Uint8Array> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.invokeOnce(payload, threadId);
      } catch (err) {
        if (!(err instanceof InvokeFailure) || !err.didNotRun() || attempt >= this.throttleRetries) throw this.explain(err, threadId);
        await backoff(attempt, INVOKE_BACKOFF);
      }
    }
  }

  private async invokeOnce(payload: Uint8Array, threadId: string): Promise<Uint8Array> {
    const { client, InvokeCommand } = await this.sdk();
    const command = new InvokeCommand({ FunctionName: this.opts.functionName, InvocationType: 'RequestResponse', Payload: payload });
    // Last before the HTTP handler, after signing: past here the request may reach Lambda.
    let handedOver = false;
    command.middlewareStack.add(
      (next) => (args) => {
        handedOver = true;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'skeinHandedOver' },
    );
    let out;
    try {
      out = await client.send(command);
    } catch (err) {
      throw new InvokeFailure(err, handedOver);
    }
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError) throw functionError(this.opts.functionName, threadId, text);
    let result: LambdaResult;
    try {
      result = JSON.parse(text) as LambdaResult;
    } catch {
      throw new WorkerCrashedError(`${this.opts.functionName} answered thread ${threadId} with something other than JSON: ${text.slice(0, 200)}`);
    }
    if (typeof result?.outcome !== 'string') {
      throw new WorkerCrashedError(
        `${this.opts.functionName} answered thread ${threadId} without an outcome: is its handler skein/lambda's (deploy it with skein deploy lambda)?`,
      );
    }
    return Buffer.from(result.outcome, 'base64');
  }

  /** Turns a failure of an invocation into the error a thread reports. */
  private explain(err: unknown, threadId: string): Error {
    const fn = this.opts.functionName;
    if (err instanceof SkeinError) return err;
    if (!(err instanceof InvokeFailure)) return new WorkerCrashedError(`invoking ${fn} for thread ${threadId} failed: ${String(err)}`);
    const { type: name, status } = err;
    const e = err.sdkError as Error;
    const what = `${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}`;
    if (name === 'TooManyRequestsException' || status === 429) {
      return new WorkerCrashedError(`thread ${threadId} was not started: ${fn} stayed throttled (429) through ${this.throttleRetries} retries; raise its concurrency, or lower the backend's`);
    }
    if (err.didNotRun()) return new WorkerCrashedError(`thread ${threadId} was not started: Lambda could not be reached for ${fn} (${what}) through ${this.throttleRetries} retries`);
    // Lambda answers 413 RequestEntityTooLargeException, a name the SDK's model lacks.
    if (name === 'RequestTooLargeException' || name === 'RequestEntityTooLargeException' || status === 413) {
      return new PayloadTooLargeError(`thread ${threadId}'s invocation is over Lambda's request limit: pass big data through shared objects and send their handles`);
    }
    if (name === 'ResourceNotFoundException') {
      return new WorkerCrashedError(`no Lambda function ${fn} (deploy it with skein deploy lambda <entry> --name ${fn})`);
    }
    if (!err.handedOver) return new WorkerCrashedError(`thread ${threadId} was not started: the invocation of ${fn} could not be made (${what})`);
    if (status === undefined || status >= 500) {
      const why = status === undefined ? `the connection failed after the invocation was sent (${what})` : `Lambda answered HTTP ${status} (${what})`;
      return new WorkerCrashedError(
        `it is unknown whether thread ${threadId} ran on ${fn}: ${why}; it may have run, in part or to the end; it was not sent again (a task with retries runs again)`,
      );
    }
    return new WorkerCrashedError(`invoking ${fn} for thread ${threadId} failed: ${what}`);
  }
}

/**
 * An Invoke the SDK client failed, and whether its request had been handed to the HTTP handler
 * (signed, about to be sent: the function may have run) or failed before (credentials, region).
 */
class InvokeFailure extends Error {
  /** The SDK error's name (its exception type for an error Lambda answered). */
  readonly type: string;
  /** The HTTP status Lambda answered, if it answered. */
  readonly status: number | undefined;

  constructor(
    readonly sdkError: unknown,
    readonly handedOver: boolean,
  ) {
    super((sdkError as Error)?.message);
    this.type = String((sdkError as { name?: unknown })?.name);
    this.status = (sdkError as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  }

  /**
   * Whether the failure proves the function did not run, so sending the invocation again cannot
   * run the thread twice: Lambda throttled it (429), or its connection was never made (refused;
   * a DNS lookup that may pass; the handler's connection timeout, matched by its message: should
   * the SDK reword it, that failure is reported as unknown, not retried). A reset connection, a
   * timeout waiting for the answer or a 5xx proves nothing: the function may be running.
   */
  didNotRun(): boolean {
    if (this.type === 'TooManyRequestsException' || this.status === 429) return true;
    if (!this.handedOver || this.status !== undefined) return false;
    const code = (this.sdkError as NodeJS.ErrnoException)?.code;
    if (code === 'ECONNREFUSED' || code === 'EAI_AGAIN') return true;
    return this.type === 'TimeoutError' && /did not establish a connection/.test(this.message);
  }
}

/** The error a function error payload (`X-Amz-Function-Error`) stands for. */
function functionError(fn: string, threadId: string, text: string): Error {
  let p: FunctionErrorPayload = {};
  try {
    p = JSON.parse(text) as FunctionErrorPayload;
  } catch {
    p = { errorMessage: text };
  }
  const type = typeof p.errorType === 'string' ? p.errorType : 'Error';
  const message = typeof p.errorMessage === 'string' ? p.errorMessage : text;
  const trace = Array.isArray(p.trace) ? `\n${p.trace.join('\n')}` : '';
  if (/Task timed out after/.test(message) || type === 'Sandbox.Timedout') return new TimeoutError(`thread ${threadId} on ${fn}: ${message}`);
  if (/Response payload size exceeded|ResponseSizeTooLarge/i.test(`${type} ${message}`)) {
    return new PayloadTooLargeError(`thread ${threadId}'s result is over Lambda's 6 MB response limit: return a handle to a shared object instead`);
  }
  return new WorkerCrashedError(`thread ${threadId} on ${fn} failed in Lambda: ${type}: ${message}${trace}`);
}
