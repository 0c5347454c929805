import { badArgs } from '../objects/validate.ts';
import type { WriteStamp } from './lattice.ts';
import { checkTimestamp, compareTimestamps, ZERO, type Timestamp } from './timestamp.ts';

/**
 * One writer's clock and tag source: a hybrid logical clock that follows the wall clock while it
 * moves forward and counts within a millisecond (or while the wall clock lags what the writer has
 * seen), so every reading is strictly greater than the writer's previous one and than the
 * timestamp it was given. Tags are `writer:n` with `n` counting from 0: unique over all writers
 * as long as writer ids are unique (the part after the last `:` is always the count).
 */
export class Stamp implements WriteStamp {
  private last: Timestamp = ZERO;
  private tags = 0;

  /**
   * `writer` is the cache's id (a non-empty string; the empty id is reserved for what no writer
   * wrote, such as initial values). `clock` returns wall milliseconds (injected in tests).
   */
  constructor(
    readonly writer: string,
    private readonly clock: () => number = Date.now,
  ) {
    if (typeof writer !== 'string' || writer === '') throw badArgs('a writer id must be a non-empty string');
  }

  tick(after?: readonly [number, number]): Timestamp {
    let floor = this.last;
    if (after !== undefined && compareTimestamps(checkTimestamp(after, 'after'), floor) > 0) floor = after;
    const now = Math.floor(this.clock());
    this.last = now > floor[0] ? [now, 0] : [floor[0], floor[1] + 1];
    return this.last;
  }

  tag(): string {
    return `${this.writer}:${this.tags++}`;
  }
}
