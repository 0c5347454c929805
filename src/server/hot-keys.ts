/**
 * The keys seen most often lately, estimated in bounded memory whatever the number of keys: the
 * space-saving algorithm (Metwally, Agrawal, El Abbadi, 2005) over two windows of `windowMs`.
 *
 * Each window keeps at most `capacity` keys with a count. A key already kept counts one more; a
 * new key takes a free slot with count 1, or, when all are taken, the slot of the key with the
 * lowest count, inheriting that count plus one. A key seen more often than 1/`capacity` of the
 * window's keys is therefore always kept, and a count never under-estimates its key (it may
 * over-estimate by the count it inherited). What is reported is the current window plus the
 * previous one, so a key's count covers between one and two windows; a window with nothing new
 * in it leaves no trace after two.
 */
export class HotKeys {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  /** When the current window began (same clock as the `at` arguments). */
  private since = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly capacity = 64,
    private readonly windowMs = 10_000,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    if (!(windowMs > 0)) throw new RangeError('windowMs must be > 0');
  }

  /** Counts one sighting of `key` at time `at` (ms, any monotonic clock). */
  add(key: string, at: number): void {
    this.rotate(at);
    const counts = this.current;
    const n = counts.get(key);
    if (n !== undefined) {
      counts.set(key, n + 1);
      return;
    }
    if (counts.size < this.capacity) {
      counts.set(key, 1);
      return;
    }
    let lowest = '';
    let min = Number.POSITIVE_INFINITY;
    for (const [k, c] of counts) {
      if (c < min) {
        min = c;
        lowest = k;
      }
    }
    counts.delete(lowest);
    counts.set(key, min + 1);
  }

  /** The `n` keys with the highest counts at time `at`, highest first (ties by key). */
  top(n: number, at: number): Array<{ key: string; count: number }> {
    this.rotate(at);
    const merged = new Map(this.previous);
    for (const [k, c] of this.current) merged.set(k, (merged.get(k) ?? 0) + c);
    return [...merged]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n)
      .map(([key, count]) => ({ key, count }));
  }

  private rotate(at: number): void {
    if (at < this.since + this.windowMs) return;
    // Two windows or more without a sighting: nothing of before is recent any more.
    this.previous = at < this.since + 2 * this.windowMs ? this.current : new Map();
    this.current = new Map();
    this.since = at;
  }
}
