/**
 * The `skein/http` entry: cloud threads served over HTTP, for FaaS platforms that call a function
 * through an HTTP endpoint (Knative, OpenFaaS, Cloud Run). The function's code imports the modules
 * that define its tasks, then serves one of these handlers; the `http` backend POSTs each thread's
 * envelope to it and reads back the outcome.
 *
 * A function's URL is often public, and an envelope names the task, its argument and the DSO to
 * connect to: the handlers run only envelopes signed with the secret the function shares with the
 * app (`SKEIN_FUNCTION_SECRET`, or the `secret` option), stamped within `toleranceMs` of the
 * function's clock and not seen before. Anything else gets 401 with a JSON `{ "error": ... }` and
 * runs nothing: the envelope is not decoded, no DSO is contacted, no task is called.
 *
 * ```ts
 * import http from 'node:http';
 * import { nodeHandler } from 'skein/http';
 * import './tasks.ts';                          // registers the tasks this function runs
 * // SKEIN_FUNCTION_SECRET is set in the function's environment
 * http.createServer(nodeHandler()).listen(Number(process.env.PORT ?? 8080));
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENVELOPE_CONTENT_TYPE, OUTCOME_CONTENT_TYPE } from './runtime/backends/http.ts';
import { functionSecret, SECRET_ENV, SIGNATURE_HEADER, SignatureCheck, type Refusal } from './runtime/signature.ts';
import { runInFunction } from './runtime/function-relay.ts';

export { ENVELOPE_CONTENT_TYPE, OUTCOME_CONTENT_TYPE, SIGNATURE_HEADER };

/** Options of the handlers. */
export interface HttpHandlerOptions {
  /** Largest envelope accepted, in bytes (413 above it); default 64 MiB. */
  maxBytes?: number;
  /**
   * The secret shared with the app's `http` backend (at least 16 characters); default the
   * environment's `SKEIN_FUNCTION_SECRET`. Without either the handler is not created (a
   * `TypeError`) unless `insecureNoSignature` is set.
   */
  secret?: string;
  /**
   * How far a signature's timestamp may be from this function's clock, either way, in ms; older or
   * newer is refused as stale (default 5 min). Signatures are remembered this long to refuse a
   * second use.
   */
  toleranceMs?: number;
  /**
   * For local development only: with no secret configured, run every envelope POSTed, signed or
   * not, from anyone who can reach the URL (a process warning says so). A configured secret is
   * checked all the same.
   */
  insecureNoSignature?: boolean;
}

/** An answer before it is written: status, content type, body. */
interface Answer {
  status: number;
  type: string;
  body: Uint8Array | string;
  headers?: Record<string, string>;
}

/** The request as the handlers see it, whatever the server's request type. */
interface Received {
  method: string | undefined;
  type: string | null | undefined;
  signature: string | null | undefined;
  /** The body, or undefined when it is over the limit. */
  body: () => Promise<Uint8Array | undefined>;
}

/**
 * The signature check the options ask for, and the secret (which also signs the invocations this
 * function starts: a DAG's next nodes); no check only when explicitly insecure.
 */
function signatureCheck(opts: HttpHandlerOptions): { check?: SignatureCheck; secret?: string } {
  const secret = functionSecret(opts.secret, 'skein/http');
  if (secret !== undefined) return { check: new SignatureCheck(secret, opts.toleranceMs !== undefined ? { toleranceMs: opts.toleranceMs } : {}), secret };
  if (opts.insecureNoSignature !== true) {
    throw new TypeError(
      `skein/http runs signed envelopes only: set ${SECRET_ENV} (the secret the app's http backend signs with) or pass the secret option; insecureNoSignature: true serves unsigned envelopes, for local development only`,
    );
  }
  process.emitWarning('skein/http runs every envelope POSTed to it, unsigned: whoever reaches its URL runs any task (insecureNoSignature)', {
    code: 'SKEIN_INSECURE_FUNCTION',
  });
  return {};
}

function unauthorized(r: Refusal): Answer {
  return { status: 401, type: 'application/json', body: `${JSON.stringify({ error: r.refused })}\n`, headers: { 'www-authenticate': 'Skein-Signature' } };
}

/**
 * Runs one envelope if it passes `check`. The thread's own failure is inside the outcome (status
 * 200). A DAG node's downstream nodes beyond the one run here are POSTed to the same function,
 * signed with `secret`, and answered before this one is (see `runInFunction`).
 */
async function answer(req: Received, { check, secret }: { check?: SignatureCheck; secret?: string }): Promise<Answer> {
  if (req.method !== 'POST') return { status: 405, type: 'text/plain', body: 'POST a Skein envelope here\n' };
  const claim = check?.header(req.signature);
  if (claim && 'refused' in claim) return unauthorized(claim);
  if (req.type?.split(';')[0]?.trim() !== ENVELOPE_CONTENT_TYPE) {
    return { status: 415, type: 'text/plain', body: `the body must be a Skein envelope (content-type ${ENVELOPE_CONTENT_TYPE})\n` };
  }
  const bytes = await req.body();
  if (!bytes) return { status: 413, type: 'text/plain', body: 'the envelope is over this function\'s limit\n' };
  const refusal = claim && check?.body(claim, bytes);
  if (refusal) return unauthorized(refusal);
  // The process serves its own bundle of tasks: never import the spawner's module path.
  return { status: 200, type: OUTCOME_CONTENT_TYPE, body: await runInFunction(bytes, secret) };
}

/**
 * A `node:http` request listener that runs the signed envelopes POSTed to it. Throws a
 * `TypeError` when no secret is configured (see {@link HttpHandlerOptions.secret}).
 */
export function nodeHandler(opts: HttpHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
  const signed = signatureCheck(opts);
  return (req, res) => {
    const read = (): Promise<Uint8Array | undefined> =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size > max) {
            resolve(undefined);
            req.resume();
            return;
          }
          chunks.push(c);
        });
        req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks)));
        req.on('error', reject);
      });
    const signature = req.headers[SIGNATURE_HEADER];
    answer({ method: req.method, type: req.headers['content-type'], signature: Array.isArray(signature) ? undefined : signature, body: read }, signed).then(
      (a) => res.writeHead(a.status, { 'content-type': a.type, ...a.headers }).end(a.body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  };
}

/**
 * A fetch-style handler (`Request` in, `Response` out) that runs the signed envelopes POSTed to
 * it. Throws a `TypeError` when no secret is configured (see {@link HttpHandlerOptions.secret}).
 */
export function fetchHandler(opts: HttpHandlerOptions = {}): (request: Request) => Promise<Response> {
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
  const signed = signatureCheck(opts);
  return async (request) => {
    const declared = Number(request.headers.get('content-length'));
    const body = async (): Promise<Uint8Array | undefined> => {
      if (declared > max) return undefined;
      const bytes = new Uint8Array(await request.arrayBuffer());
      return bytes.length > max ? undefined : bytes;
    };
    const a = await answer({ method: request.method, type: request.headers.get('content-type'), signature: request.headers.get(SIGNATURE_HEADER), body }, signed);
    return new Response(a.body as string | Uint8Array<ArrayBuffer>, { status: a.status, headers: { 'content-type': a.type, ...a.headers } });
  };
}
