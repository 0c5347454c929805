import { HotKeys } from './hot-keys.ts';

/**
 * One call in about this many is sampled: its key counts toward the hot keys, and (while
 * latency is measured) its time from arrival to answer is measured. Reading a clock costs about
 * 0.2 us on the VMs this runs on, and prom-client's `Histogram.observe` about 0.8 us, against about
 * 1.5 us of node CPU for a whole pipelined call, so neither can happen on every call; the gaps between samples are drawn at random (1 to twice this, minus
 * one) so that no periodic pattern of calls escapes the sample.
 */
export const SAMPLE_EVERY = 32;

/** The label of calls whose type or method this node does not serve (bounded label values). */
export const UNKNOWN = '(unknown)';

/** How many calls of one type and method this node answered. */
export interface CallCount {
  readonly type: string;
  readonly method: string;
  /** `{ type }`, made once: a label set for per-type metrics that costs no allocation per call. */
  readonly typeLabels: { readonly type: string };
  calls: number;
}

/** A key among the hottest, with an estimate of its calls over the last 10 to 20 seconds. */
export interface HotKey {
  key: string;
  calls: number;
}

/**
 * What a node counts of the calls it answers as their owner, on the hot path: a total, a count
 * per type and method, and a sample of about one call in {@link SAMPLE_EVERY} for the hot keys
 * and (when {@link CallStats.latency} is set) latencies. Per call it costs a decrement, two
 * string comparisons and an increment; a sampled call adds a clock read and a bounded update.
 *
 * Labels stay bounded: calls naming a type or method this node does not serve are counted under
 * {@link UNKNOWN}, so a client sending made-up names cannot grow the counts' table.
 */
export class CallStats {
  /**
   * Receives the seconds from arrival to answer of each sampled call, with its type's labels;
   * set while metrics are served, else no clock is read for latency.
   */
  latency: ((labels: { readonly type: string }, seconds: number) => void) | undefined;
  private readonly counts = new Map<string, Map<string, CallCount>>();
  private readonly hot = new HotKeys();
  private untilSample = nextGap();
  private last: CallCount | undefined;
  private answeredCalls = 0;
  private readonly unknown: CallCount = { type: UNKNOWN, method: UNKNOWN, typeLabels: { type: UNKNOWN }, calls: 0 };

  /** @param serves whether this node serves `type` with a method named `method`. */
  constructor(private readonly serves: (type: string, method: string) => boolean) {}

  /** Calls answered since the node started. */
  get total(): number {
    return this.answeredCalls;
  }

  /**
   * A call on `key` arrived: answers the time to measure its latency from (a `performance.now()`
   * value), or 0 when it is not measured.
   */
  arrived(key: string): number {
    if (--this.untilSample !== 0) return 0;
    this.untilSample = nextGap();
    const now = performance.now();
    this.hot.add(key, now);
    return this.latency ? now : 0;
  }

  /**
   * The call of `type` and `method` that {@link arrived} at `started` was answered; `failed` if it
   * was answered with an error (possibly for naming a type or method this node does not serve).
   */
  answered(type: string, method: string, started: number, failed: boolean): void {
    this.answeredCalls++;
    let count = this.last;
    if (count === undefined || count.type !== type || count.method !== method) {
      count = this.count(type, method, failed);
      if (count !== this.unknown) this.last = count;
    }
    count.calls++;
    if (started !== 0 && this.latency) this.latency(count.typeLabels, (performance.now() - started) / 1000);
  }

  /** Every type and method answered at least once, with its count. */
  *byMethod(): IterableIterator<Readonly<CallCount>> {
    for (const methods of this.counts.values()) yield* methods.values();
    if (this.unknown.calls > 0) yield this.unknown;
  }

  /** The `n` keys called most over the last 10 to 20 seconds, with estimated calls, highest first. */
  hotKeys(n = 10): HotKey[] {
    return this.hot.top(n, performance.now()).map(({ key, count }) => ({ key, calls: count * SAMPLE_EVERY }));
  }

  private count(type: string, method: string, failed: boolean): CallCount {
    const methods = this.counts.get(type);
    const known = methods?.get(method);
    if (known) return known;
    // A call that succeeded names a served type and method; only a failed one may not.
    if (failed && !this.serves(type, method)) return this.unknown;
    const count: CallCount = { type, method, typeLabels: methods?.values().next().value?.typeLabels ?? { type }, calls: 0 };
    if (methods) methods.set(method, count);
    else this.counts.set(type, new Map([[method, count]]));
    return count;
  }
}

/** The number of calls until the next sample: uniform from 1 to 2 * SAMPLE_EVERY - 1. */
function nextGap(): number {
  return 1 + Math.floor(Math.random() * (2 * SAMPLE_EVERY - 1));
}
