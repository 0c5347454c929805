/** Something kept under a request id. */
export interface Identified {
  readonly id: number;
}

/** Slots a session starts with; doubled while an unacknowledged reply would be pushed out. */
const FIRST_SLOTS = 64;

/**
 * The replies a session keeps for resends, by request id: a ring of slots indexed by the id's low
 * bits. A session's ids are consecutive, and its client acknowledges replies within a few dozen,
 * so a small ring holds them all; it doubles (up to `max` slots) when a new id would push out a
 * reply not yet acknowledged, and past that pushes out the oldest. A `Map` did the same job, but
 * a `Map` that gains and loses an entry per call reallocates its table every few calls, and the
 * tables kept reachable from a long-lived session were promoted and cost full collections.
 */
export class KeptReplies<T extends Identified> {
  private slots: Array<T | undefined> = new Array(FIRST_SLOTS).fill(undefined);
  private mask = FIRST_SLOTS - 1;
  private count = 0;

  constructor(private readonly max: number) {}

  /** Number of replies kept. */
  get size(): number {
    return this.count;
  }

  get(id: number): T | undefined {
    const slot = this.slots[id & this.mask];
    return slot !== undefined && slot.id === id ? slot : undefined;
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Keeps `item` under its id, replacing what was kept under the same id. */
  set(item: T): void {
    let i = item.id & this.mask;
    let there = this.slots[i];
    while (there !== undefined && there.id !== item.id && this.slots.length < this.max) {
      this.grow();
      i = item.id & this.mask;
      there = this.slots[i];
    }
    // What is still there under another id is the oldest: it is pushed out.
    if (there === undefined) this.count++;
    this.slots[i] = item;
  }

  delete(id: number): void {
    const i = id & this.mask;
    const slot = this.slots[i];
    if (slot === undefined || slot.id !== id) return;
    this.slots[i] = undefined;
    this.count--;
  }

  *values(): IterableIterator<T> {
    for (const slot of this.slots) if (slot !== undefined) yield slot;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array(old.length * 2).fill(undefined);
    this.mask = this.slots.length - 1;
    for (const slot of old) {
      if (slot === undefined) continue;
      const i = slot.id & this.mask;
      // Two old ids landing on one new slot cannot happen: they differed in the old low bits.
      this.slots[i] = slot;
    }
  }
}
