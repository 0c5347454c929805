import { configuredDefaultClient } from '../client/default-client.ts';
import type { Session } from '../client/session.ts';
import { handleFor } from '../client/handle-registry.ts';
import { mailboxes } from '../client/mailbox.ts';
import { RemoteError } from '../errors/remote-error.ts';
import { SkeinError } from '../errors/skein-error.ts';
import type { Backend } from './backend.ts';
import { decodeThreadResult, encodeEnvelope, ENVELOPE_VERSION, type Envelope } from './envelope.ts';
import { countThread } from './runtime.ts';
import { checkSerializable } from './serializable.ts';
import { newThreadId } from './thread-id.ts';

/** What to run: everything of an envelope but what `launch` fills in. */
export type Invocation = Omit<Envelope, 'v' | 'threadId' | 'dso' | 'token' | 'session'>;

/** A launched thread: its id and its eventual result. */
export interface Launched {
  /**
   * The thread's id. Reading it marks the id as given out (someone may send to the thread), so
   * the thread's mailbox is closed when it ends; see {@link launch}.
   */
  readonly threadId: string;
  readonly result: Promise<unknown>;
}

/**
 * Starts one cloud thread on `backend`. The argument is checked and encoded now, so a value that
 * cannot travel throws a `SerializationError` here, at spawn. The thread's default client points
 * at this process's default DSO, if one is configured. A failed attempt is run again up to
 * `retries` times, unless the failure is one a retry cannot mend (the worker could not find or
 * load the task, or the result cannot be sent back). The result rejects with a `RemoteError`
 * carrying the thread's error (name, message, remote stack; its `origin` names the thread), or the
 * backend's own error (`WorkerCrashedError`, `TimeoutError`). With a DSO, the thread's mailbox is
 * closed before the result settles when its id went out (the spawner read `threadId`, or the
 * thread asked for its own id: `threadId()`, `send`, `recv`), so a later send fails with
 * `ThreadEndedError`; an id first read after the thread ended closes it then. A thread whose id
 * nobody saw has no mailbox to close and costs no call (see `client/mailbox.ts`).
 */
export function launch(backend: Backend, what: Invocation, retries = 0, session?: Session): Launched {
  checkSerializable(what.arg, 'arg');
  if (session?.ended) throw new TypeError(`session ${session.id} has ended`);
  const threadId = newThreadId();
  const dso = configuredDefaultClient();
  const env: Envelope = {
    v: ENVELOPE_VERSION,
    threadId,
    ...what,
    ...(dso ? { dso: dso.url, ...(dso.token ? { token: dso.token } : {}) } : {}),
  };
  // With a session, the spawner's writes reach the DSO first, and the envelope carries the
  // session as it stands then: the thread reads them (read-your-writes across functions).
  const bytes = session
    ? dso
      ? dso.flushWrites().then(() => encodeEnvelope({ ...env, session: session.toWire() }))
      : encodeEnvelope({ ...env, session: session.toWire() })
    : encodeEnvelope(env);
  countThread('spawned');
  const seen = { exposed: false, asked: false, ended: false };
  let closing: Promise<void> | undefined;
  // A DSO that cannot be reached does not change the thread's outcome.
  const close = (): Promise<void> => (closing ??= mailboxes(dso!).close(threadId).then(
    () => undefined,
    () => undefined,
  ));
  const ran = attempt(backend, bytes, threadId, what, retries, session, () => (seen.asked = true));
  // Once the thread has ended (after its last attempt, or its worker's death), a mailbox others
  // may know of is closed before join() settles: a send to it from then on fails with ThreadEndedError.
  const closed = dso
    ? ran.finally(() => {
        seen.ended = true;
        if (seen.exposed || seen.asked) return close();
      })
    : ran;
  const result = closed.then(
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
  return {
    get threadId() {
      seen.exposed = true;
      if (seen.ended && dso) void close();
      return threadId;
    },
    result,
  };
}

async function attempt(
  backend: Backend,
  envelope: Uint8Array | Promise<Uint8Array>,
  threadId: string,
  what: Invocation,
  retries: number,
  session: Session | undefined,
  asked: () => void,
): Promise<unknown> {
  const bytes = await envelope;
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
    if (outcome.session && session) session.absorb(outcome.session);
    if (outcome.mailbox) asked();
    if (outcome.ok) return outcome.value;
    if (left <= 0 || outcome.final) {
      const ran = what.task !== undefined ? `task '${what.task}'` : `export '${what.export ?? 'default'}' of ${what.module}`;
      throw new RemoteError(outcome.name, outcome.message, outcome.stack, outcome.code, `thread ${threadId} (${ran})`);
    }
  }
}
