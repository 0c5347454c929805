/**
 * A deterministic simulated network for membership tests: one simulated clock, an event queue of
 * timer firings and message deliveries run in time order (ties in the order they were
 * scheduled), per-message delay and loss chosen by the test, and crashes. Messages go through
 * Skein's msgpack codec, so what membership sends is checked to survive the wire.
 */
import assert from 'node:assert/strict';
import { decode, encode } from '../../src/protocol/codec.ts';
import { Membership, type MembershipClock, type MembershipMessage, type MembershipOptions, type View } from '../../src/cluster/membership.ts';

/** A timer firing or a message delivery; events due at the same time run in the order scheduled. */
interface Event {
  at: number;
  run(): void;
}

/** A clock whose time moves only when the network runs. */
class SimClock implements MembershipClock {
  time = 0;
  private readonly live = new Set<object>();

  constructor(private readonly schedule: (at: number, run: () => void) => void) {}

  now(): number {
    return this.time;
  }

  setInterval(fn: () => void, ms: number): object {
    const handle = {};
    this.live.add(handle);
    const fire = (): void => {
      if (!this.live.has(handle)) return;
      this.schedule(this.time + ms, fire);
      fn();
    };
    this.schedule(this.time + ms, fire);
    return handle;
  }

  clearInterval(h: unknown): void {
    this.live.delete(h as object);
  }
}

/** One simulated member: its membership and everything it reported. */
export interface SimNode {
  readonly url: string;
  readonly membership: Membership;
  /** Every view installed, in order. */
  readonly views: View[];
  /** The view it was evicted by, if it was. */
  evicted?: View;
  /** False once crashed: nothing more is delivered to it. */
  up: boolean;
  /** What start() settled with: a view, an Error, or undefined while pending. */
  started?: View | Error;
}

/** What the test decides per message. */
export interface LinkPolicy {
  /** Delivery delay in ms (default 1). */
  delay?(from: string, to: string, msg: MembershipMessage): number;
  /** True to lose the message (default: never). */
  drop?(from: string, to: string, msg: MembershipMessage): boolean;
}

/** The network: members by URL (the latest instance of each), a clock, and the event queue. */
export class SimNetwork {
  readonly clock: SimClock;
  readonly nodes = new Map<string, SimNode>();
  /** Every member ever started, restarts included, in start order. */
  readonly instances: SimNode[] = [];
  /** Every message sent, decoded, for tests that look at the traffic. */
  readonly sent: { from: string; to: string; msg: unknown }[] = [];
  private readonly queue: Event[] = [];

  constructor(public policy: LinkPolicy = {}) {
    this.clock = new SimClock((at, run) => this.schedule(at, run));
  }

  /** Creates and starts a member (replacing a crashed one of the same URL). */
  start(url: string, seeds: readonly string[], opts: Partial<MembershipOptions> = {}): SimNode {
    const views: View[] = [];
    const node: SimNode = {
      url,
      views,
      up: true,
      membership: new Membership({
        self: url,
        seeds,
        clock: this.clock,
        transport: { send: (to, msg) => this.send(url, to, msg) },
        onView: (v) => views.push(v),
        onEvicted: (v) => (node.evicted = v),
        ...opts,
      }),
    };
    this.nodes.set(url, node);
    this.instances.push(node);
    node.membership.start().then(
      (v) => (node.started = v),
      (e: Error) => (node.started = e),
    );
    return node;
  }

  /** The member crashes: it stops, and nothing more reaches it (messages it sent still travel). */
  crash(url: string): void {
    const node = this.nodes.get(url)!;
    node.up = false;
    node.membership.stop();
  }

  /** Delivers `msg` to `to` as if it came from `from`, now. */
  inject(from: string, to: string, msg: unknown): void {
    this.nodes.get(to)!.membership.receive(from, msg);
  }

  /** Runs every event due within the next `ms`, then lets promise callbacks run. */
  async run(ms: number): Promise<void> {
    const end = this.clock.time + ms;
    while (this.queue.length > 0 && this.queue[0]!.at <= end) {
      const e = this.queue.shift()!;
      this.clock.time = e.at;
      e.run();
    }
    this.clock.time = end;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** The URLs of members that are up and in the cluster (started, not evicted), sorted. */
  live(): string[] {
    return [...this.nodes.values()]
      .filter((n) => n.up && !n.evicted && n.started && !(n.started instanceof Error))
      .map((n) => n.url)
      .sort();
  }

  private send(from: string, to: string, msg: MembershipMessage): void {
    const wire = encode(msg);
    this.sent.push({ from, to, msg: decode(wire) });
    if (this.policy.drop?.(from, to, msg)) return;
    this.schedule(this.clock.time + (this.policy.delay?.(from, to, msg) ?? 1), () => {
      const node = this.nodes.get(to);
      if (node?.up) node.membership.receive(from, decode(wire));
    });
  }

  private schedule(at: number, run: () => void): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.at > at) i--;
    this.queue.splice(i, 0, { at, run });
  }
}

/**
 * Asserts that the members in the cluster agree: every live member holds the same view, whose
 * members are exactly the live ones; every member ever started (restarts included) installed
 * views in nondecreasing epochs; and all their histories fit one order of views (no member saw
 * view x before y while another saw y before x, directly or through others). Two views share an
 * epoch only when two coordinators issued it at once.
 */
export function assertAgreement(net: SimNetwork): View {
  const live = net.live();
  assert.ok(live.length > 0, 'no live member');
  const final = net.nodes.get(live[0]!)!.membership.view();
  for (const url of live) assert.deepEqual(net.nodes.get(url)!.membership.view(), final, `view of ${url}`);
  assert.deepEqual(final.members, live, 'the view is the set of live members');
  const next = new Map<string, Set<string>>();
  for (const node of net.instances) {
    node.views.forEach((v, i) => {
      const before = node.views[i - 1];
      if (!before) return;
      assert.ok(v.epoch >= before.epoch, `${node.url} installed epoch ${v.epoch} after ${before.epoch}`);
      const [a, b] = [before, v].map((x) => `${x.epoch}: ${x.members.join(' ')}`) as [string, string];
      next.set(a, (next.get(a) ?? new Set()).add(b));
    });
  }
  const done = new Set<string>();
  const visit = (view: string, path: string[]): void => {
    assert.ok(!path.includes(view), `views installed in different orders: ${[...path, view].join(' -> ')}`);
    if (done.has(view)) return;
    for (const n of next.get(view) ?? []) visit(n, [...path, view]);
    done.add(view);
  };
  for (const view of next.keys()) visit(view, []);
  return final;
}
