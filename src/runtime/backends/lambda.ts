import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import { PayloadTooLargeError } from '../../errors/payload-too-large-error.ts';
import { SkeinError } from '../../errors/skein-error.ts';
import { TimeoutError } from '../../errors/timeout-error.ts';
import { WorkerCrashedError } from '../../errors/worker-crashed-error.ts';
import type { Backend } from '../backend.ts';
import { RemoteBackend } from './remote-backend.ts';

/** Lambda's limit on a synchronous invocation's request and response payloads. */
export const LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024;

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
  /** Throttled invocations (429) are retried this many times with backoff (default 8). */
  throttleRetries?: number;
  /** Settings passed to the SDK client as they are (credentials, retries, ...). */
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs cloud threads as synchronous (RequestResponse) invocations of an AWS Lambda function that
 * runs the `skein/lambda` handler (`skein deploy lambda` makes one). Failures map to what local
 * threads give: the thread's own error comes back inside the outcome; a function that timed out
 * is a `TimeoutError`; one that crashed or could not load is a `WorkerCrashedError` naming
 * Lambda's errorType and message; an argument over 6 MB is a `PayloadTooLargeError` before
 * anything is sent. Throttling (429) is retried with exponential backoff and jitter, and at most
 * `concurrency` invocations are in flight.
 */
export class LambdaBackend extends RemoteBackend implements Backend {
  readonly name = 'lambda';
  /**
   * The SDK client, made at the first invocation: the SDK is imported then, so a program (or a
   * Lambda bundle, where the runtime provides the SDK) that never uses this backend never loads it.
   */
  private client: Promise<{ client: LambdaClient; InvokeCommand: typeof import('@aws-sdk/client-lambda').InvokeCommand }> | undefined;
  private readonly throttleRetries: number;

  constructor(private readonly opts: LambdaBackendOptions) {
    super(opts.concurrency ?? 100);
    if (typeof opts.functionName !== 'string' || opts.functionName === '') throw new TypeError('the lambda backend needs a functionName');
    this.throttleRetries = opts.throttleRetries ?? 8;
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
    this.client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => ({
      client: new LambdaClient({
        ...(this.opts.region ? { region: this.opts.region } : {}),
        ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}),
        ...this.opts.clientConfig,
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
        if (errorName(err) !== 'TooManyRequestsException' || attempt >= this.throttleRetries) throw this.explain(err, threadId);
        // Full jitter: a crowd of throttled threads must not come back in step.
        await sleep(Math.random() * Math.min(5000, 100 * 2 ** attempt));
      }
    }
  }

  private async invokeOnce(payload: Uint8Array, threadId: string): Promise<Uint8Array> {
    const { client, InvokeCommand } = await this.sdk();
    const out = await client.send(new InvokeCommand({ FunctionName: this.opts.functionName, InvocationType: 'RequestResponse', Payload: payload }));
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

  /** Turns an SDK failure into the error a thread reports. */
  private explain(err: unknown, threadId: string): Error {
    const fn = this.opts.functionName;
    if (err instanceof SkeinError) return err;
    const name = errorName(err);
    if (name === 'TooManyRequestsException') {
      return new WorkerCrashedError(`${fn} stayed throttled (429) through ${this.throttleRetries} retries of thread ${threadId}: raise its concurrency, or lower the backend's`);
    }
    // Lambda answers 413 RequestEntityTooLargeException, a name the SDK's model lacks.
    if (name === 'RequestTooLargeException' || name === 'RequestEntityTooLargeException' || status(err) === 413) {
      return new PayloadTooLargeError(`thread ${threadId}'s invocation is over Lambda's request limit: pass big data through shared objects and send their handles`);
    }
    if (name === 'ResourceNotFoundException') {
      return new WorkerCrashedError(`no Lambda function ${fn} (deploy it with skein deploy lambda <entry> --name ${fn})`);
    }
    const e = err as Error;
    return new WorkerCrashedError(`invoking ${fn} for thread ${threadId} failed: ${e.name}: ${e.message}`);
  }
}

/** The name of an SDK error (its exception type), if it has one. */
function errorName(err: unknown): string | undefined {
  return (err as { name?: unknown })?.name as string | undefined;
}

/** The HTTP status behind an SDK error, if it has one. */
function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
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
