import { runInFunction } from './function-relay.ts';

/**
 * The event the `lambda` backend sends to a function: one envelope, base64-encoded (Lambda
 * payloads are JSON).
 */
export interface LambdaInvocationEvent {
  readonly skein: 1;
  /** Base64 of the envelope bytes (`encodeEnvelope`). */
  readonly envelope: string;
}

/** What the handler resolves with: the invocation's outcome, base64-encoded. */
export interface LambdaInvocationResult {
  /** Base64 of the thread's result bytes (`encodeThreadResult`), its error included. */
  readonly outcome: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The envelope bytes of a Lambda event; throws when the event is not a Skein invocation. */
function envelopeOf(event: unknown): Uint8Array {
  const e = event as Partial<LambdaInvocationEvent> | null;
  if (e === null || typeof e !== 'object' || e.skein !== 1 || typeof e.envelope !== 'string' || !BASE64.test(e.envelope)) {
    throw new TypeError('not a Skein invocation event: expected { skein: 1, envelope: "<base64 of the envelope>" }');
  }
  return Buffer.from(e.envelope, 'base64');
}

/**
 * The Lambda handler of a Skein bundle: runs one cloud thread per invocation, in the bundle's own
 * task registry (the bundle's top-level code registered the tasks when Lambda loaded it; the
 * envelope's module is never imported). The thread's default client binds to the envelope's DSO
 * and is kept while Lambda keeps the process warm. A thread that throws resolves too, with that
 * error as its outcome; only an event that is not a {@link LambdaInvocationEvent} rejects, which
 * Lambda reports as a function error. A DAG node's downstream nodes beyond the one run here are
 * started as invocations of the same function (with the function's own AWS credentials), answered
 * before this one is (see `runInFunction`).
 */
export async function handler(event: unknown): Promise<LambdaInvocationResult> {
  const outcome = await runInFunction(envelopeOf(event));
  return { outcome: Buffer.from(outcome).toString('base64') };
}
