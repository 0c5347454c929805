import { configuredDefaultClient } from '../client/default-client.ts';
import { handleFor } from '../client/handle-registry.ts';
import { RemoteError } from '../errors/remote-error.ts';
import { SkeinError } from '../errors/skein-error.ts';
import type { Backend } from './backend.ts';
import { decodeThreadResult, encodeEnvelope, ENVELOPE_VERSION, type Envelope } from './envelope.ts';
import { countThread } from './runtime.ts';
import { checkSerializable } from './serializable.ts';

/** What to run: everything of an envelope but what `launch` fills in. */
export type Invocation = Omit<Envelope, 'v' | 'threadId' | 'dso' | 'token'>;

/** A launched thread: its id and its eventual result. */
export interface Launched {
  readonly threadId: string;
  readonly result: Promise<unknown>;
}

let sequence = 0;

/**
 * Starts one cloud thread on `backend`. The argument is checked and encoded now, so a value that
 * cannot travel throws a `SerializationError` here, at spawn. The thread's default client points
 * at this process's default DSO, if one is configured. A failed attempt is run again up to
 * `retries` times, unless the failure is one a retry cannot mend (the worker could not find or
 * load the task, or the result cannot be sent back). The result rejects with a `RemoteError`
 * carrying the thread's error (name, message, remote stack), or the backend's own error
 * (`WorkerCrashedError`, `TimeoutError`).
 */
export function launch(backend: Backend, what: Invocation, retries = 0): Launched {
  checkSerializable(what.arg, 'arg');
  const threadId = `${process.pid}-${++sequence}`;
  const dso = configuredDefaultClient();
  const env: Envelope = {
    v: ENVELOPE_VERSION,
    threadId,
    ...what,
    ...(dso ? { dso: dso.url, ...(dso.token ? { token: dso.token } : {}) } : {}),
  };
  const bytes = encodeEnvelope(env);
  countThread('spawned');
  const result = attempt(backend, bytes, threadId, retries).then(
    (value) => {
      countThread('done');
      return value;
    },
    (err: unknown) => {
      countThread('failed');
      throw err;
    },
  );
  // join() reports the failure; an unjoined failed thread must not crash the process.
  result.catch(() => undefined);
  return { threadId, result };
}

async function attempt(backend: Backend, bytes: Uint8Array, threadId: string, retries: number): Promise<unknown> {
  for (let left = retries; ; left--) {
    let encoded: Uint8Array;
    try {
      encoded = await backend.invoke(bytes, threadId);
    } catch (err) {
      // The backend's own failures (a crashed worker, a timeout) may pass on a second try.
      if (left <= 0 || !(err instanceof SkeinError)) throw err;
      continue;
    }
    const outcome = decodeThreadResult(encoded, (type, key) => handleFor(type, key, undefined));
    if (outcome.ok) return outcome.value;
    if (left <= 0 || outcome.final) throw new RemoteError(outcome.name, outcome.message, outcome.stack, outcome.code);
  }
}
