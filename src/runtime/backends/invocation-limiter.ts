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
