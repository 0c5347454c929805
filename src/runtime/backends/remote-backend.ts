import { WorkerCrashedError } from '../../errors/worker-crashed-error.ts';
import { InFlight } from '../in-flight.ts';

/**
 * At most `limit` invocations in flight; the rest wait in order. What a FaaS backend uses to stay
 * under a function's concurrency (beyond it the platform throttles, and every throttled attempt
 * costs a round trip).
 */
export class InvocationLimiter {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${limit}`);
  }

  /** Invocations running now. */
  get active(): number {
    return this.running;
  }

  /** Runs `fn` once a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A finishing invocation hands its slot straight to the next in line.
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * What the serverless backends share: a concurrency limit, refusing new invocations once closed,
 * and `close()` waiting for the invocations in flight. Subclasses make one invocation.
 */
export abstract class RemoteBackend {
  private readonly limiter: InvocationLimiter;
  private closed = false;
  private readonly inFlight = new InFlight();

  constructor(concurrency: number) {
    this.limiter = new InvocationLimiter(concurrency);
  }

  /** Short name for messages. */
  abstract readonly name: string;

  /** Makes one invocation, with the backend's own retries of what provably did not run (throttled, never connected). */
  protected abstract call(envelope: Uint8Array, threadId: string): Promise<Uint8Array>;

  /** Releases what the backend holds once its invocations are done (an SDK client...). */
  protected dispose(): void | Promise<void> {}

  invoke(envelope: Uint8Array, threadId: string): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new WorkerCrashedError(`the ${this.name} backend is closed; thread ${threadId} was not started`));
    return this.inFlight.track(this.limiter.run(() => this.call(envelope, threadId)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight.settled();
    await this.dispose();
  }
}
