/**
 * Cluster membership with failure detection, as pure logic over a transport and a clock: the
 * caller delivers what arrives (`receive`) and carries what leaves (`send`), so real links and a
 * simulated network drive the same code.
 *
 * The protocol, in brief. Every member heartbeats every other member of its view each
 * `heartbeatMs`; a heartbeat carries the sender's view id (epoch and issuing coordinator). The
 * coordinator is the smallest member of the view that this member does not suspect (silent for
 * `failAfterMs`; a member counts as heard when it enters the view). Only the coordinator changes
 * the view: it admits joiners, removes leavers, and removes all the members it suspects in one
 * view; each change is a view with the next epoch, sent to every member it names. A member that
 * suspects the coordinator and is the smallest member it does not suspect is the coordinator by
 * that rule, and acts as one. A member that hears a heartbeat with an older view id than its own
 * sends the sender its view, so a lost view message is repaired within a heartbeat.
 *
 * Views are ordered by epoch, then by issuer with the smaller URL winning: two coordinators that
 * issue the same epoch at once (after a false suspicion) cannot leave the cluster split, as every member ends on the winning view. A
 * member installs only views that supersede its own, so the views each member installs are a
 * subsequence of one order shared by all; it may skip a view superseded before it arrived.
 *
 * Limits: built for a LAN or one host, where messages arrive well within `failAfterMs`.
 * Network partitions are not handled: each side would remove the other and go on as a cluster
 * of its own (split brain), and nothing merges them afterwards. A member slower than
 * `failAfterMs` is removed (and evicted when it hears of it). Each run of a member has an
 * incarnation, carried by its heartbeats and joins: a member that restarts with the same URL
 * before it was removed joins with a new one, and the coordinator removes the old member (one
 * view) before it admits the new (the next), so the layer above sees the old member fail and a
 * new one join, never a member that silently lost what it held.
 * Heartbeats are all-to-all, n^2 messages per period, meant for tens of members, not thousands.
 */
import { TimeoutError } from '../errors/timeout-error.ts';

/** A cluster view: the live members, sorted, and its epoch; a view with a higher epoch supersedes. */
export interface View {
  readonly epoch: number;
  readonly members: readonly string[];
}

/** The first element of every {@link MembershipMessage}. */
export const MembershipKind = {
  /**
   * `[Join, member, incarnation?]`: `member` asks to be admitted (forwarded once to the
   * coordinator). A join from a member of the view with another incarnation than the one it
   * heartbeats with is a restart: the coordinator removes the old member, then admits the new.
   */
  Join: 1,
  /** `[View, epoch, members, coordinator]`: a view, as issued by `coordinator`. */
  View: 2,
  /** `[Heartbeat, epoch, coordinator, incarnation?]`: the sender is alive and holds this view. */
  Heartbeat: 3,
  /** `[Leave, member]`: `member` leaves gracefully (forwarded once to the coordinator). */
  Leave: 4,
} as const;

/**
 * Messages between members: small tuples of strings and numbers, msgpack-able as they are.
 * `members` of a view are sorted and distinct.
 */
export type MembershipMessage =
  | [kind: typeof MembershipKind.Join, member: string, incarnation?: string]
  | [kind: typeof MembershipKind.View, epoch: number, members: string[], coordinator: string]
  | [kind: typeof MembershipKind.Heartbeat, epoch: number, coordinator: string, incarnation?: string]
  | [kind: typeof MembershipKind.Leave, member: string];

/** Where membership messages leave: implemented by the links between nodes. */
export interface MembershipTransport {
  /** Sends one message to a member (best effort: may be lost if the member is down; never throws). */
  send(to: string, msg: MembershipMessage): void;
}

/** Time as membership sees it: real timers by default, a simulated clock in tests. */
export interface MembershipClock {
  /** Milliseconds on a clock that never goes back. */
  now(): number;
  /** Calls `fn` every `ms` until the handle is cleared. */
  setInterval(fn: () => void, ms: number): { unref?(): void } | unknown;
  /** Stops an interval returned by `setInterval`. */
  clearInterval(h: unknown): void;
}

/** How to run a {@link Membership}. */
export interface MembershipOptions {
  /** This member's URL, e.g. `'skein://127.0.0.1:7001'`; members are identified by it. */
  self: string;
  /** Members to join through; empty (or only `self`): start a new cluster of one. */
  seeds: readonly string[];
  transport: MembershipTransport;
  /** Heartbeat period; default 200 ms. */
  heartbeatMs?: number;
  /** A member silent this long is declared dead; default 1500 ms (at least 3 heartbeats). */
  failAfterMs?: number;
  /** How long `start()` tries to join before it rejects; default 10 s. */
  joinTimeoutMs?: number;
  /**
   * What tells this run of the member from an earlier one at the same URL (default: random). A
   * member that restarts before the others noticed it was gone holds none of what the old one
   * held, so it must be removed and admitted anew, not taken for the old one.
   */
  incarnation?: string;
  /** Default: real timers, unref'd so membership alone does not keep the process alive. */
  clock?: MembershipClock;
  /**
   * Called with every new view installed, in epoch order, and the view before it (epoch 0 and
   * no members before the first). The epoch may repeat only when a view from a smaller
   * coordinator replaces one of the same epoch (see the module comment).
   */
  onView(view: View, previous: View): void;
  /**
   * Called if this member finds itself removed from the cluster while alive (it must rejoin as
   * new: the owner of this object decides). Membership has stopped when it is called.
   */
  onEvicted?(view: View): void;
}

const realClock: MembershipClock = {
  now: () => performance.now(),
  setInterval(fn, ms) {
    const h = setInterval(fn, ms);
    h.unref();
    return h;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

const NO_VIEW: View = Object.freeze({ epoch: 0, members: Object.freeze([]) });

type State = 'idle' | 'joining' | 'member' | 'leaving' | 'stopped';

/**
 * One member's side of the membership protocol. Not safe to share between members: create one
 * per node, `start()` it, feed it every membership message the node receives.
 */
export class Membership {
  private readonly self: string;
  private readonly seeds: readonly string[];
  private readonly transport: MembershipTransport;
  private readonly heartbeatMs: number;
  private readonly failAfterMs: number;
  private readonly joinTimeoutMs: number;
  private readonly clock: MembershipClock;
  private readonly onView: MembershipOptions['onView'];
  private readonly onEvicted: MembershipOptions['onEvicted'];

  private state: State = 'idle';
  private current: View = NO_VIEW;
  /** Who issued `current`; ties of epoch go to the smaller issuer. */
  private issuer = '';
  /** When each member of `current` (but self) was last heard, or entered the view. */
  private readonly lastHeard = new Map<string, number>();
  private timer: unknown;
  /** When the pending join or leave gives up. */
  private deadline = 0;
  private joinAttempts = 0;
  private joined?: { resolve(v: View): void; reject(e: Error): void };
  private readonly incarnation: string;
  /** The incarnation each member last heartbeat or joined with. */
  private readonly incarnations = new Map<string, string>();
  private left?: () => void;

  /** Checks the options; nothing is sent before `start()`. */
  constructor(opts: MembershipOptions) {
    this.self = opts.self;
    this.seeds = [...new Set(opts.seeds)].filter((s) => s !== opts.self);
    this.transport = opts.transport;
    this.heartbeatMs = opts.heartbeatMs ?? 200;
    this.failAfterMs = opts.failAfterMs ?? 1500;
    this.joinTimeoutMs = opts.joinTimeoutMs ?? 10_000;
    this.clock = opts.clock ?? realClock;
    this.onView = opts.onView;
    this.onEvicted = opts.onEvicted;
    this.incarnation = opts.incarnation ?? Math.random().toString(36).slice(2) + Date.now().toString(36);
    if (!(this.heartbeatMs > 0)) throw new RangeError(`heartbeatMs must be > 0, got ${this.heartbeatMs}`);
    if (!(this.failAfterMs >= 3 * this.heartbeatMs)) {
      throw new RangeError(`failAfterMs must be at least 3 heartbeats (${3 * this.heartbeatMs} ms), got ${this.failAfterMs}`);
    }
  }

  /**
   * Starts heartbeats; with seeds, sends a join to them (retrying every heartbeat, rotating
   * seeds) and resolves once a view containing self is installed; rejects with a
   * `TimeoutError` naming the seeds after `joinTimeoutMs`, and stops. Without seeds, installs
   * `{ epoch: 1, members: [self] }` and resolves. Call once.
   */
  start(): Promise<View> {
    if (this.state !== 'idle') return Promise.reject(new Error('Membership.start() may be called once'));
    this.timer = this.clock.setInterval(() => this.tick(), this.heartbeatMs);
    if (this.seeds.length === 0) {
      this.state = 'member';
      this.install(1, [this.self], this.self);
      return Promise.resolve(this.current);
    }
    this.state = 'joining';
    this.deadline = this.clock.now() + this.joinTimeoutMs;
    const joined = new Promise<View>((resolve, reject) => (this.joined = { resolve, reject }));
    this.sendJoin();
    return joined;
  }

  /**
   * Feed a message received from `from`. Tolerates any malformed input (ignores it, never
   * throws). Any well-formed message from a member of the view counts as hearing from it.
   */
  receive(from: string, msg: unknown): void {
    if (this.state === 'idle' || this.state === 'stopped' || typeof from !== 'string' || !isMessage(msg)) return;
    if (this.lastHeard.has(from)) this.lastHeard.set(from, this.clock.now());
    switch (msg[0]) {
      case MembershipKind.Heartbeat:
        if (typeof msg[3] === 'string' && this.lastHeard.has(from)) this.incarnations.set(from, msg[3]);
        return this.onHeartbeat(from, msg[1], msg[2]);
      case MembershipKind.View:
        return this.onViewMessage(msg[1], [...new Set(msg[2])].sort(), msg[3]);
      case MembershipKind.Join:
        return this.onJoin(from, msg[1], typeof msg[2] === 'string' ? msg[2] : undefined);
      case MembershipKind.Leave:
        return this.onLeave(from, msg[1]);
    }
  }

  /** The current view: epoch 0 and no members until one is installed. */
  view(): View {
    return this.current;
  }

  /**
   * Graceful leave: tells the coordinator, which installs a view without this member; resolves
   * when that view is seen or after `failAfterMs` (by then the others would remove the silent
   * member anyway), and stops. A coordinator leaving issues that view itself.
   */
  leave(): Promise<void> {
    if (this.state !== 'member') {
      this.stop();
      return Promise.resolve();
    }
    this.state = 'leaving';
    this.deadline = this.clock.now() + this.failAfterMs;
    const left = new Promise<void>((resolve) => (this.left = resolve));
    this.tick();
    return left;
  }

  /** Stops timers; no more messages are sent or taken. A pending `start()` rejects. */
  stop(): void {
    if (this.state === 'stopped') return;
    const joining = this.state === 'joining';
    this.state = 'stopped';
    if (this.timer !== undefined) this.clock.clearInterval(this.timer);
    if (joining) this.joined?.reject(new Error(`membership of ${this.self} stopped before it joined`));
    this.left?.();
  }

  private tick(): void {
    const now = this.clock.now();
    if (this.state === 'joining') {
      if (now >= this.deadline) {
        const rejectJoin = this.joined!.reject;
        this.joined = undefined;
        this.stop();
        rejectJoin(
          new TimeoutError(
            `${this.self} could not join a cluster through ${this.seeds.join(', ')} within ${this.joinTimeoutMs} ms: ` +
              'no view containing it arrived (are the seeds up and reachable?)',
          ),
        );
      } else this.sendJoin();
      return;
    }
    if (this.state === 'leaving' && now >= this.deadline) return this.stop();
    const suspects = this.suspects();
    if (this.coordinator(suspects) === this.self) {
      if (this.state === 'leaving') return this.leaveAsCoordinator(suspects);
      if (suspects.length > 0) this.issue(this.current.members, suspects);
    } else if (this.state === 'leaving') {
      this.transport.send(this.coordinator(suspects), [MembershipKind.Leave, this.self]);
    }
    const heartbeat: MembershipMessage = [MembershipKind.Heartbeat, this.current.epoch, this.issuer, this.incarnation];
    for (const m of this.current.members) if (m !== this.self) this.transport.send(m, heartbeat);
  }

  private sendJoin(): void {
    this.transport.send(this.seeds[this.joinAttempts++ % this.seeds.length]!, [MembershipKind.Join, this.self, this.incarnation]);
  }

  /** The smallest member of the view not among `suspects` (self is never one). */
  private coordinator(suspects: readonly string[]): string {
    return this.current.members.find((m) => !suspects.includes(m))!;
  }

  private suspects(): string[] {
    const now = this.clock.now();
    return this.current.members.filter((m) => m !== this.self && now - this.lastHeard.get(m)! >= this.failAfterMs);
  }

  /** Whether the view `(epoch, issuer)` supersedes the current one. */
  private newer(epoch: number, issuer: string): boolean {
    return epoch > this.current.epoch || (epoch === this.current.epoch && issuer < this.issuer);
  }

  private onHeartbeat(from: string, epoch: number, issuer: string): void {
    if (this.state !== 'joining' && (epoch < this.current.epoch || (epoch === this.current.epoch && this.issuer < issuer))) {
      this.sendView(from);
    }
  }

  private onViewMessage(epoch: number, members: string[], issuer: string): void {
    if (!this.newer(epoch, issuer)) return;
    if (members.includes(this.self)) {
      const joining = this.state === 'joining';
      if (joining) this.state = 'member';
      this.install(epoch, members, issuer);
      if (joining) this.joined!.resolve(this.current);
      return;
    }
    if (this.state === 'joining') return; // a view from before this member was admitted
    const leaving = this.state === 'leaving';
    this.stop();
    if (!leaving) this.onEvicted?.(Object.freeze({ epoch, members: Object.freeze(members) }));
  }

  private onJoin(from: string, member: string, incarnation: string | undefined): void {
    if (this.state === 'joining' || member === this.self) return;
    // A join from a member of the view is a restart unless it comes with the incarnation that
    // member was admitted or heard with (an unknown one counts: at worst the member is removed
    // and admitted again for nothing).
    const restarted = this.current.members.includes(member) && incarnation !== undefined && this.incarnations.get(member) !== incarnation;
    if (this.current.members.includes(member) && !restarted) return this.sendView(member);
    const suspects = this.suspects();
    if (this.coordinator(suspects) === this.self) {
      if (restarted) {
        // The old member is gone with all it held: remove it first, so the others fail over.
        this.issue(this.current.members.filter((m) => m !== member), suspects);
      }
      if (incarnation !== undefined) this.incarnations.set(member, incarnation);
      this.issue([...this.current.members, member], suspects);
    } else if (from === member) {
      this.transport.send(this.coordinator(suspects), [MembershipKind.Join, member, ...(incarnation !== undefined ? [incarnation] : [])] as MembershipMessage);
    }
  }

  private onLeave(from: string, member: string): void {
    if (this.state === 'joining') return;
    if (!this.current.members.includes(member)) return this.sendView(member);
    if (member === this.self) return;
    const suspects = this.suspects();
    if (this.coordinator(suspects) === this.self) {
      this.issue(this.current.members.filter((m) => m !== member), suspects);
      this.sendView(member);
    } else if (from === member) this.transport.send(this.coordinator(suspects), [MembershipKind.Leave, member]);
  }

  private leaveAsCoordinator(suspects: readonly string[]): void {
    const rest = this.current.members.filter((m) => m !== this.self && !suspects.includes(m));
    const view: MembershipMessage = [MembershipKind.View, this.current.epoch + 1, rest, this.self];
    for (const m of rest) this.transport.send(m, view);
    this.stop();
  }

  /**
   * Installs and sends the next view, as coordinator: `members` (distinct, in any order) but the
   * `suspects`, so every view it issues also removes the members it suspects.
   */
  private issue(members: readonly string[], suspects: readonly string[]): void {
    this.install(this.current.epoch + 1, members.filter((m) => !suspects.includes(m)).sort(), this.self);
    for (const m of this.current.members) if (m !== this.self) this.sendView(m);
  }

  private sendView(to: string): void {
    this.transport.send(to, [MembershipKind.View, this.current.epoch, [...this.current.members], this.issuer]);
  }

  /** `members` are sorted, distinct, and include self. */
  private install(epoch: number, members: string[], issuer: string): void {
    const previous = this.current;
    this.current = Object.freeze({ epoch, members: Object.freeze(members) });
    this.issuer = issuer;
    const now = this.clock.now();
    for (const m of this.lastHeard.keys()) if (!members.includes(m)) this.lastHeard.delete(m);
    for (const m of members) if (m !== this.self && !this.lastHeard.has(m)) this.lastHeard.set(m, now);
    this.onView(this.current, previous);
  }
}

/** Whether `x` is a well-formed {@link MembershipMessage}. */
function isMessage(x: unknown): x is MembershipMessage {
  if (!Array.isArray(x)) return false;
  switch (x[0]) {
    case MembershipKind.Join:
      return typeof x[1] === 'string' && (x[2] === undefined || typeof x[2] === 'string');
    case MembershipKind.Leave:
      return typeof x[1] === 'string';
    case MembershipKind.Heartbeat:
      return isEpoch(x[1]) && typeof x[2] === 'string' && (x[3] === undefined || typeof x[3] === 'string');
    case MembershipKind.View:
      return isEpoch(x[1]) && Array.isArray(x[2]) && x[2].length > 0 && x[2].every((m) => typeof m === 'string') && typeof x[3] === 'string';
    default:
      return false;
  }
}

function isEpoch(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 1;
}
