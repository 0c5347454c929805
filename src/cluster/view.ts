/**
 * What a cluster keeps in etcd, as plain data, and the pure rules over it: which members a view
 * has, when a view is stable, and which keys are lost. The etcd side (leases, election, watches)
 * is in `etcd-member.ts`; the rules here are deterministic so every member and the leader agree.
 */
import { Placement } from './placement.ts';

/** One run of a member: its URL and the id of the etcd lease it registered with (new each run). */
export interface MemberId {
  readonly url: string;
  readonly id: string;
}

/**
 * A cluster view: its members, sorted by URL, and the copies of each object. Its epoch is the etcd
 * revision that wrote it, so views are totally ordered by one counter that no two writers share.
 */
export interface View {
  readonly epoch: number;
  readonly rf: number;
  readonly members: readonly MemberId[];
}

/**
 * Keys whose every copy is gone: those whose owners under `members` (with `rf` copies) are all in
 * `dead`. Kept until the dead members come back with their data or an operator forgets it.
 */
export interface LostRegion {
  readonly members: readonly string[];
  readonly rf: number;
  readonly dead: readonly string[];
}

/**
 * What the leader writes beside each view:
 * - `stable`: the view of epoch `epoch` has finished its handover (every member has received the
 *   objects it now owns); `epoch` is 0 while the current view is not stable yet;
 * - `base`: the members of the last stable view (each key's state is with its owners there, or with
 *   members that took it over since);
 * - `lost`: the lost regions.
 */
export interface ClusterStatus {
  readonly epoch: number;
  readonly base: readonly MemberId[];
  readonly lost: readonly LostRegion[];
}

/** Whether two member lists name the same runs of the same members. */
export function sameMembers(a: readonly MemberId[], b: readonly MemberId[]): boolean {
  return a.length === b.length && a.every((m, i) => m.url === b[i]!.url && m.id === b[i]!.id);
}

/** `members` sorted by URL (the order views keep). */
export function sortMembers(members: Iterable<MemberId>): MemberId[] {
  return [...members].sort((x, y) => (x.url < y.url ? -1 : x.url > y.url ? 1 : 0));
}

/**
 * The lost regions after a view of `next` members replaces the current one, whose `base` is the
 * last stable view: every member of `base` that is not in `next` with the same run is dead, unless
 * it left gracefully (handed everything over: `left`). A region is kept only if some key can have
 * all its owners dead in it.
 */
export function lostAfter(
  regions: readonly LostRegion[],
  base: readonly MemberId[],
  rf: number,
  next: readonly MemberId[],
  left: ReadonlySet<string>,
): LostRegion[] {
  const out = regions.map((r) => ({ members: [...r.members], rf: r.rf, dead: [...r.dead] }));
  if (base.length > 0) {
    const alive = new Set(next.map((m) => `${m.url} ${m.id}`));
    const dead = base.filter((m) => !alive.has(`${m.url} ${m.id}`) && !left.has(`${m.url} ${m.id}`)).map((m) => m.url);
    if (dead.length > 0) {
      const members = base.map((m) => m.url);
      const same = out.find((r) => r.rf === rf && r.members.join(',') === members.join(','));
      if (same) same.dead = [...new Set([...same.dead, ...dead])].sort();
      else out.push({ members, rf, dead: dead.sort() });
    }
  }
  return out.filter(canLose);
}

/** The regions without `urls` among their dead (members that came back with their copies). */
export function restored(regions: readonly LostRegion[], urls: ReadonlySet<string>): LostRegion[] {
  return regions.map((r) => ({ ...r, dead: r.dead.filter((u) => !urls.has(u)) })).filter(canLose);
}

/** Whether some key can have all of its owners dead in `r`. */
function canLose(r: LostRegion): boolean {
  return r.dead.length >= Math.min(r.rf, r.members.length);
}

/** Lost regions prepared for lookups (placements built once). */
export class LostKeys {
  private readonly regions: ReadonlyArray<{ placement: Placement; rf: number; dead: ReadonlySet<string> }>;

  constructor(regions: readonly LostRegion[]) {
    this.regions = regions.map((r) => ({ placement: new Placement(r.members), rf: r.rf, dead: new Set(r.dead) }));
  }

  /** Whether there is no lost region at all. */
  get empty(): boolean {
    return this.regions.length === 0;
  }

  /** Whether every copy of `key` may be gone. */
  has(key: string): boolean {
    return this.holders(key) !== undefined;
  }

  /** The members that held `key` when its copies were lost (all dead), or undefined if it is not lost. */
  holders(key: string): string[] | undefined {
    for (const r of this.regions) {
      const owners = r.placement.owners(key, r.rf);
      if (owners.every((o) => r.dead.has(o))) return owners;
    }
    return undefined;
  }
}
