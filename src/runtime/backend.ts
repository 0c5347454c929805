import type { WorkerStats } from '../client/apps.ts';
import type { FunctionAddress } from './function-relay.ts';

export type { WorkerStats };

/**
 * Where cloud threads run. Every backend takes an encoded envelope and resolves with an encoded
 * outcome; a thread that throws is an outcome too. A backend rejects only for failures of its
 * own: `WorkerCrashedError` when the worker died, `TimeoutError` when the invocation ran past its
 * limit, `ConnectionClosedError`-like errors when the platform could not be reached.
 */
export interface Backend {
  /** Short name for messages (`local`, `process`, ...). */
  readonly name: string;
  /**
   * Runs one invocation. `threadId` is for error messages. `envelope` is the same bytes on every
   * attempt of a thread: read it, never change it.
   */
  invoke(envelope: Uint8Array, threadId: string): Promise<Uint8Array>;
  /** Stops the workers once the invocations in flight are done; new invocations are refused. */
  close(): Promise<void>;
  /** What its workers are doing now, for backends that keep workers of their own. */
  stats?(): WorkerStats;
  /**
   * For a FaaS backend (lambda, http): the function it invokes, carried in DAG envelopes so that
   * the function starts a node's downstream nodes itself, as new invocations of the same function.
   */
  readonly address?: FunctionAddress;
}


/** Names of the built-in backends. */
export type BackendName = 'local' | 'process' | 'lambda' | 'http';

/** Options shared by the built-in backends. */
export interface BackendOptions {
  /**
   * Workers: threads (local; default the cores), processes (process; default 64), or invocations
   * in flight (lambda, http; default 100).
   */
  workers?: number;
  /** Lambda backend: the function (name or ARN) running the `skein/lambda` handler. */
  functionName?: string;
  /** Lambda backend: the AWS region (default the SDK's). */
  region?: string;
  /** Lambda backend: another endpoint than AWS's (an emulator); default the SDK's. */
  endpoint?: string;
  /** HTTP backend: the function's URL. */
  url?: string;
  /** HTTP backend: the secret requests are signed with; default `SKEIN_FUNCTION_SECRET`. */
  secret?: string;
  /**
   * Process backend: kill an invocation that runs longer than this (ms); http backend: give up on
   * it. No limit by default (a Lambda function has its own, set at deploy).
   */
  timeoutMs?: number;
  /**
   * Process backend: warn (a `SKEIN_THREADS_STALLED` process warning) when threads have been
   * queued this long (ms) behind `workers` busy processes, none finishing meanwhile: threads that
   * wait on threads still queued deadlock that way. Default 10 000; 0 turns the warning off.
   */
  stallWarningMs?: number;
  /**
   * Process backend: processes kept warm however idle (default 0); started with the backend when
   * `skein run` prestarts it.
   */
  minWorkers?: number;
  /** Process backend: an idle process is retired after this long (ms; default 30 000), down to `minWorkers`. */
  idleMs?: number;
}
