import type { SessionWire } from '../client/session.ts';
import { decode, encode, type RefFactory } from '../protocol/codec.ts';
import type { DagStep } from './dag-step.ts';
import type { FunctionAddress } from './function-relay.ts';

/**
 * What a backend carries to a worker to run one cloud thread. `module` is the file URL of the
 * module to import first (where the task is defined, or the CloudPool worker file); `task` names a
 * registered task, `export` an export of `module` (piscina-style). `block` asks the worker to run
 * the task once for every index in `[from, to)` (parallelFor).
 */
export interface Envelope {
  readonly v: 1;
  readonly threadId: string;
  readonly module: string;
  readonly task?: string;
  readonly export?: string;
  readonly arg: unknown;
  readonly block?: readonly [from: number, to: number];
  /** DSO the thread's default client connects to, and its token. */
  readonly dso?: string;
  readonly token?: string;
  /** The session the thread runs in (`task.spawn(arg, { session })`), as it stood at spawn. */
  readonly session?: SessionWire;
  /** The thread is a node of a DAG run: when it finishes, it starts the nodes after it. */
  readonly dag?: DagStep;
  /**
   * Only with `dag`, on the lambda and http backends: the function the envelope was sent to, so
   * the function that runs it can start the node's downstream nodes as new invocations of itself.
   * Never a secret.
   */
  readonly via?: FunctionAddress;
}

/**
 * A thread's result as it travels back: a value, or the error it threw. `final` marks a failure
 * that running the thread again cannot mend (the envelope, the task's lookup, or its result could
 * not be handled): it is never retried.
 */
export type ThreadResult = (
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly name: string;
      readonly message: string;
      readonly stack: string;
      readonly code?: string;
      readonly final?: true;
    }
) & {
  /** The thread's session as it ended (what it saw and pinned), to merge into the spawner's. */
  readonly session?: SessionWire;
  /** The thread asked for its id (`threadId()`, `send`, `recv`): others may have its mailbox. */
  readonly mailbox?: true;
};

/** Envelope version understood by this runtime. */
export const ENVELOPE_VERSION = 1;

/**
 * An envelope as a worker first reads it: the argument is still encoded. Handles in it can only
 * become live once the module that registers their classes has been imported, so the worker
 * imports `module` first and then calls {@link decodeArg}.
 */
export interface ReceivedEnvelope extends Omit<Envelope, 'arg'> {
  readonly arg: Uint8Array;
}

/**
 * The bytes of `encoded` in an ArrayBuffer of their own. The codec answers a view into its
 * working buffer (8 KiB or more); posted to a worker or a child process as it is, that whole
 * buffer would be copied with every message.
 */
function own(encoded: Uint8Array): Uint8Array {
  return new Uint8Array(encoded);
}

/**
 * Encodes an envelope for a backend; the argument is encoded apart, inside it. The result owns
 * its buffer (no larger than the envelope), so a backend can post it as it is.
 */
export function encodeEnvelope(env: Envelope): Uint8Array {
  return own(encode({ ...env, arg: encode(env.arg) }));
}

/** Decodes an envelope, leaving its argument encoded. */
export function decodeEnvelope(bytes: Uint8Array): ReceivedEnvelope {
  const env = decode(bytes) as ReceivedEnvelope;
  if (
    env === null ||
    typeof env !== 'object' ||
    env.v !== ENVELOPE_VERSION ||
    typeof env.module !== 'string' ||
    !(env.arg instanceof Uint8Array)
  ) {
    throw new TypeError('not a Skein invocation envelope (or one of another version)');
  }
  return env;
}

/** Decodes an envelope's argument; handles in it become live through `refs`. */
export function decodeArg(env: ReceivedEnvelope, refs?: RefFactory): unknown {
  return decode(env.arg, refs);
}

/** Encodes a thread's result; the bytes own their buffer, as {@link encodeEnvelope}'s do. */
export function encodeThreadResult(result: ThreadResult): Uint8Array {
  return own(encode(result));
}

/** Decodes a thread's result; handles in the value become live through `refs`. */
export function decodeThreadResult(bytes: Uint8Array, refs?: RefFactory): ThreadResult {
  return decode(bytes, refs) as ThreadResult;
}
