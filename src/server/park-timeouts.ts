/** A parked call that may time out: the batch whose timer it waits on, until it is cancelled. */
export interface Timed {
  timeout: TimeoutBatch | undefined;
}

/** The calls that parked with the same bound in the same turn of the event loop: one timer. */
export class TimeoutBatch {
  readonly items: Timed[] = [];
  /** Items still waiting on this batch's timer. */
  live = 0;
  timer: NodeJS.Timeout | undefined;
  constructor(readonly ms: number) {}
}

/**
 * The timeouts (`timeoutMs`) of parked calls. Calls that park with the same `timeoutMs` in the
 * same turn of the event loop share one Node timer, armed when the first of them parks: a timer
 * per call cost more than the rest of a barrier arrival (measured: about 1,600 instructions per
 * call for `setTimeout` and `clearTimeout`). A batch's timer is cleared once none of its calls
 * waits on it any more. A call may thus time out up to one turn before its own `timeoutMs` is
 * over, as measured from when it parked; turns last far less than the millisecond granularity
 * of Node's timers.
 */
export class ParkTimeouts<T extends Timed> {
  /** The batches still taking calls: those opened in the current turn, by `timeoutMs`. */
  private readonly forming = new Map<number, TimeoutBatch>();
  private sealQueued = false;

  /** @param expire called for each item whose timeout passed before it was cancelled. */
  constructor(private readonly expire: (item: T) => void) {}

  /** Starts `item`'s timeout of `ms` milliseconds. */
  start(item: T, ms: number): void {
    let batch = this.forming.get(ms);
    if (!batch) {
      batch = new TimeoutBatch(ms);
      batch.timer = setTimeout(this.fire, ms, batch);
      this.forming.set(ms, batch);
      if (!this.sealQueued) {
        this.sealQueued = true;
        queueMicrotask(this.seal);
      }
    }
    batch.items.push(item);
    batch.live++;
    item.timeout = batch;
  }

  /** Cancels `item`'s timeout, if it has one running. */
  cancel(item: T): void {
    const batch = item.timeout;
    if (!batch) return;
    item.timeout = undefined;
    if (--batch.live > 0) return;
    clearTimeout(batch.timer);
    if (this.forming.get(batch.ms) === batch) this.forming.delete(batch.ms);
  }

  private readonly seal = (): void => {
    this.sealQueued = false;
    this.forming.clear();
  };

  private readonly fire = (batch: TimeoutBatch): void => {
    if (this.forming.get(batch.ms) === batch) this.forming.delete(batch.ms);
    for (const item of batch.items) {
      if (item.timeout !== batch) continue;
      item.timeout = undefined;
      batch.live--;
      this.expire(item as T);
    }
  };
}
