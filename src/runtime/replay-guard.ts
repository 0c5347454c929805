/** What {@link ReplayGuard.admit} says of a signature. */
export type Admission = 'first' | 'replayed' | 'forgotten';

/**
 * Remembers the signatures an HTTP function accepted, so that each is accepted once, in bounded
 * memory. A signature is held until its timestamp is over `windowMs` behind the clock (from then
 * on it is stale and refused anyway), and at most `capacity` are held: past that the oldest held
 * one is forgotten early.
 *
 * Forgetting a signature raises a floor to its timestamp, and any signature stamped at or below
 * the floor is refused (`forgotten`). So every signature admitted once is either still held or
 * under the floor: none is admitted twice, even if the clock steps back or the memory overflows.
 * The price of an overflow is that a genuine request stamped before the floor is refused too.
 */
export class ReplayGuard {
  /** Held signatures and their timestamps, in the order they were admitted. */
  private readonly held = new Map<string, number>();
  private floor = -Infinity;

  /** `windowMs`: how long past its timestamp a signature stays fresh; `capacity`: most held. */
  constructor(
    private readonly windowMs: number,
    private readonly capacity = 100_000,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
  }

  /** Signatures held now. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Admits `signature`, stamped `at` (ms), at clock time `now` (ms), unless it was admitted before
   * (`replayed`) or is stamped at or below the floor (`forgotten`). Only a `first` is remembered.
   */
  admit(signature: string, at: number, now: number): Admission {
    this.forgetStale(now);
    if (this.held.has(signature)) return 'replayed';
    if (at <= this.floor) return 'forgotten';
    if (this.held.size >= this.capacity) {
      this.forgetOldest();
      if (at <= this.floor) return 'forgotten';
    }
    this.held.set(signature, at);
    return 'first';
  }

  /** Forgets held signatures that went stale, from the oldest admitted on (the rest wait their turn). */
  private forgetStale(now: number): void {
    for (const [signature, at] of this.held) {
      if (now - at <= this.windowMs) return;
      this.forget(signature, at);
    }
  }

  private forgetOldest(): void {
    const [signature, at] = this.held.entries().next().value as [string, number];
    this.forget(signature, at);
  }

  private forget(signature: string, at: number): void {
    this.held.delete(signature);
    this.floor = Math.max(this.floor, at);
  }
}
