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
}

/** Names of the built-in backends. */
export type BackendName = 'local' | 'process';

/** Options shared by the built-in backends. */
export interface BackendOptions {
  /** Workers (threads or processes). Local default: the cores; process default: 64. */
  workers?: number;
  /** Process backend: kill an invocation that runs longer than this (ms); no limit by default. */
  timeoutMs?: number;
  /**
   * Process backend: warn (a `SKEIN_THREADS_STALLED` process warning) when threads have been
   * queued this long (ms) behind `workers` busy processes, none finishing meanwhile: threads that
   * wait on threads still queued deadlock that way. Default 10 000; 0 turns the warning off.
   */
  stallWarningMs?: number;
}
