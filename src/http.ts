/**
 * The `skein/http` entry: cloud threads served over HTTP, for FaaS platforms that call a function
 * through an HTTP endpoint (Knative, OpenFaaS, Cloud Run). The function's code imports the modules
 * that define its tasks, then serves one of these handlers; the `http` backend POSTs each thread's
 * envelope to it and reads back the outcome.
 *
 * ```ts
 * import http from 'node:http';
 * import { nodeHandler } from 'skein/http';
 * import './tasks.ts';                          // registers the tasks this function runs
 * http.createServer(nodeHandler()).listen(Number(process.env.PORT ?? 8080));
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENVELOPE_CONTENT_TYPE, OUTCOME_CONTENT_TYPE } from './runtime/backends/http.ts';
import { runInvocation } from './runtime/worker-handler.ts';

export { ENVELOPE_CONTENT_TYPE, OUTCOME_CONTENT_TYPE };

/** Options of the handlers. */
export interface HttpHandlerOptions {
  /** Largest envelope accepted, in bytes (413 above it); default 64 MiB. */
  maxBytes?: number;
}

/** An answer before it is written: status, content type, body. */
interface Answer {
  status: number;
  type: string;
  body: Uint8Array | string;
}

/** Runs one envelope. The thread's own failure is inside the outcome (status 200). */
async function answer(method: string | undefined, type: string | null | undefined, body: () => Promise<Uint8Array | undefined>): Promise<Answer> {
  if (method !== 'POST') return { status: 405, type: 'text/plain', body: 'POST a Skein envelope here\n' };
  if (type?.split(';')[0]?.trim() !== ENVELOPE_CONTENT_TYPE) {
    return { status: 415, type: 'text/plain', body: `the body must be a Skein envelope (content-type ${ENVELOPE_CONTENT_TYPE})\n` };
  }
  const bytes = await body();
  if (!bytes) return { status: 413, type: 'text/plain', body: 'the envelope is over this function\'s limit\n' };
  // The process serves its own bundle of tasks: never import the spawner's module path.
  return { status: 200, type: OUTCOME_CONTENT_TYPE, body: await runInvocation(bytes, { bundled: true }) };
}

/** A `node:http` request listener that runs the envelopes POSTed to it. */
export function nodeHandler(opts: HttpHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
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
    answer(req.method, req.headers['content-type'], read).then(
      (a) => res.writeHead(a.status, { 'content-type': a.type }).end(a.body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  };
}

/** A fetch-style handler (`Request` in, `Response` out) that runs the envelopes POSTed to it. */
export function fetchHandler(opts: HttpHandlerOptions = {}): (request: Request) => Promise<Response> {
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
  return async (request) => {
    const declared = Number(request.headers.get('content-length'));
    const a = await answer(request.method, request.headers.get('content-type'), async () => {
      if (declared > max) return undefined;
      const bytes = new Uint8Array(await request.arrayBuffer());
      return bytes.length > max ? undefined : bytes;
    });
    return new Response(a.body as string | Uint8Array<ArrayBuffer>, { status: a.status, headers: { 'content-type': a.type } });
  };
}
