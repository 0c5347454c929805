import type { Backend } from './backend.ts';
import { HttpBackend } from './backends/http.ts';
import { LambdaBackend } from './backends/lambda.ts';
import { relayStep } from './dag-step.ts';
import { decodeEnvelope } from './envelope.ts';
import { runInvocation } from './worker-handler.ts';

/**
 * How an invocation of a FaaS function invokes the same function again, as a DAG envelope carries
 * it (`via`): the URL the caller's `http` backend POSTs to, or the Lambda function (name or ARN)
 * the caller's `lambda` backend invokes, with the region and endpoint it named (when it named
 * none, the function's own environment decides: Lambda sets `AWS_REGION` to the function's).
 * Never a secret: the function signs with its own `SKEIN_FUNCTION_SECRET`, or calls Lambda with
 * its own role's credentials.
 */
export type FunctionAddress = { readonly http: string } | { readonly lambda: string; readonly region?: string; readonly endpoint?: string };

/** The backends relayed envelopes go through, one per address (and secret), kept while the function is warm. */
const backends = new Map<string, Backend>();

function backendFor(via: FunctionAddress, secret: string | undefined): Backend {
  const key = JSON.stringify([via, secret]);
  let backend = backends.get(key);
  if (!backend) {
    backend =
      'http' in via
        ? new HttpBackend({ url: via.http, ...(secret !== undefined ? { secret } : {}) })
        : new LambdaBackend({ functionName: via.lambda, ...(via.region ? { region: via.region } : {}), ...(via.endpoint ? { endpoint: via.endpoint } : {}) });
    backends.set(key, backend);
  }
  return backend;
}

/** The address a received envelope names, if it is a well-formed one (else there is nothing to relay through). */
function addressOf(bytes: Uint8Array): FunctionAddress | undefined {
  let via: unknown;
  try {
    via = decodeEnvelope(bytes).via;
  } catch {
    return undefined;
  }
  const v = via as Partial<Record<'http' | 'lambda' | 'region' | 'endpoint', unknown>> | null | undefined;
  if (v === null || typeof v !== 'object') return undefined;
  if (typeof v.http === 'string') return { http: v.http };
  if (typeof v.lambda !== 'string') return undefined;
  return { lambda: v.lambda, ...(typeof v.region === 'string' ? { region: v.region } : {}), ...(typeof v.endpoint === 'string' ? { endpoint: v.endpoint } : {}) };
}

/**
 * Runs one invocation in a FaaS function (`skein/http`, `skein/lambda`): `runInvocation`, with a
 * relay when the envelope is a DAG node's that names its function (`via`): each node made ready
 * here, beyond the one run in place, starts as a new invocation of that function, through an
 * `http` backend signing with `secret` (the function's own) or a `lambda` backend with the
 * function's own AWS credentials. A relayed node reports its outcome to the run's object itself;
 * a failure to invoke it is recorded as the node's failure. Without `via`, or for an http function
 * without a secret (`insecureNoSignature`: nothing to sign with), every ready node runs here.
 *
 * Resolves with this invocation's outcome once every invocation it started has answered: a
 * function may be frozen once it returns, and neither backend has an earlier "accepted" (both
 * invoke synchronously: Lambda's RequestResponse, an HTTP POST answered with the outcome), so this
 * invocation stays open while the ones it started run, and must outlast them (its timeout).
 */
export async function runInFunction(bytes: Uint8Array, secret?: string): Promise<Uint8Array> {
  const via = addressOf(bytes);
  if (!via || ('http' in via && secret === undefined)) return runInvocation(bytes, { bundled: true });
  const started: Array<Promise<void>> = [];
  const relay = (envelope: Uint8Array): void => {
    let backend: Backend;
    try {
      backend = backendFor(via, secret);
    } catch (err) {
      started.push(relayStep(() => Promise.reject(err as Error), envelope));
      return;
    }
    started.push(relayStep((e, threadId) => backend.invoke(e, threadId), envelope));
  };
  const outcome = await runInvocation(bytes, { bundled: true, relay });
  await Promise.all(started);
  return outcome;
}
