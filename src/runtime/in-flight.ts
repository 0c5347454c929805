/**
 * The promises something started and has not seen settle, for its `close()` to wait on: each is
 * forgotten once it settles, whether it resolved or rejected. What backends, executors and pools
 * use to drain on close.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Keeps `p` until it settles; answers `p` itself (its rejection is still the caller's to handle). */
  track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    p.then(
      () => this.running.delete(p),
      () => this.running.delete(p),
    );
    return p;
  }

  /** How many tracked promises have not settled yet. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Resolves once every promise tracked so far has settled (never rejects); promises tracked
   * after the call are not waited for.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
