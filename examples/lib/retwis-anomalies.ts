/**
 * What each Retwis user session did and saw (its log), and an anomaly checker over those logs
 * alone, independent of the code under test: it never reads the store, and trusts no version or
 * dependency the store keeps. A post id is `<author>:<seq>` (`u7:3` is user 7's third post), so a
 * sighting of an id tells whose post, and which of its posts, the session saw.
 *
 * Causality is rebuilt from the logs with one vector clock per session, counted in posts: a
 * session's clock holds, per author, the highest post it depends on; posting stamps the post
 * with the clock; seeing a post (its id in a timeline, its body found) merges the post's stamp in.
 * A session that depends on a post must be able to read it.
 */

/** One step of a user session, in the session's order. */
export type RetwisOp =
  /** Posted `id` (its body, then its id on the timelines), replying to `replyTo` if not null. */
  | { op: 'post'; id: string; replyTo: string | null }
  /** Read its own timeline: every post id on it. */
  | { op: 'timeline'; ids: string[] }
  /** Read the body of post `id`: found or not. */
  | { op: 'read'; id: string; found: boolean }
  /** Asked whether it follows `user`, and was told `has`. */
  | { op: 'follows'; user: string; has: boolean }
  /** Followed or unfollowed `user`. */
  | { op: 'follow' | 'unfollow'; user: string };

/** A user session's log, across every thread it ran in. */
export interface UserLog {
  user: string;
  ops: RetwisOp[];
}

/** Anomalies found, by the guarantee they break. */
export interface RetwisAnomalies {
  /**
   * The session missed its own write: its timeline without a post it made, its post's body not
   * found, or its follow set not showing its own last follow or unfollow.
   */
  readYourWrites: number;
  /** A read went back in time: a timeline without an id an earlier read of it showed, or a post's body missing after it was found. */
  monotonic: number;
  /**
   * A post's body not found although the session depends on it: it saw the post's id, or a post
   * whose author had seen it (a reply shown without the post it replies to, Cloudburst's anomaly).
   */
  causal: number;
}

/** The author and sequence number of post id `id` (`u7:3` -> `['u7', 3]`). */
export function parsePostId(id: string): [author: string, seq: number] {
  const at = id.lastIndexOf(':');
  const seq = Number(id.slice(at + 1));
  if (at <= 0 || !Number.isSafeInteger(seq) || seq < 1) throw new TypeError(`not a post id: ${JSON.stringify(id)}`);
  return [id.slice(0, at), seq];
}

type Clock = Map<string, number>;

/** Raises `into` to `from`, entry by entry. */
function merge(into: Clock, from: Clock): void {
  for (const [author, seq] of from) if ((into.get(author) ?? 0) < seq) into.set(author, seq);
}

/**
 * Counts the anomalies of `logs`. Throws if a session saw a post that no session made (the logs
 * are then not a run's, or the store made a post up).
 */
export function checkRetwis(logs: readonly UserLog[]): RetwisAnomalies {
  const found: RetwisAnomalies = { readYourWrites: 0, monotonic: 0, causal: 0 };
  const stamps = new Map<string, Clock>();
  const posted = new Set<string>();
  for (const log of logs) for (const o of log.ops) if (o.op === 'post') posted.add(o.id);

  interface Cursor {
    log: UserLog;
    at: number;
    clock: Clock;
    /** Posts merged into the clock already (each once). */
    merged: Set<string>;
    ownSeq: number;
    /** Ids the last read of the timeline showed. */
    timeline: Set<string>;
    /** Bodies found before. */
    bodies: Set<string>;
    /** Per followee, what the session's own last follow or unfollow left. */
    following: Map<string, boolean>;
  }
  const cursors: Cursor[] = logs.map((log) => ({
    log,
    at: 0,
    clock: new Map(),
    merged: new Set(),
    ownSeq: 0,
    timeline: new Set(),
    bodies: new Set(),
    following: new Map(),
  }));

  // A session's stamp of a post depends on what it saw before, which other sessions stamped: the
  // sessions advance in turn, each until it sees a post not stamped yet. Causality has no cycles,
  // so every session finishes.
  const see = (c: Cursor, id: string): boolean => {
    if (c.merged.has(id)) return true;
    if (!posted.has(id)) throw new Error(`session ${c.log.user} saw post ${id}, which no session made`);
    const stamp = stamps.get(id);
    if (!stamp) return false;
    merge(c.clock, stamp);
    c.merged.add(id);
    return true;
  };
  let unfinished = cursors.length;
  while (unfinished > 0) {
    let progressed = false;
    for (const c of cursors) {
      const ops = c.log.ops;
      while (c.at < ops.length) {
        const o = ops[c.at]!;
        if (o.op === 'timeline' && !o.ids.every((id) => see(c, id))) break;
        if (o.op === 'read' && o.found && !see(c, o.id)) break;
        step(c, o);
        c.at++;
        progressed = true;
        if (c.at === ops.length) unfinished--;
      }
    }
    if (!progressed && unfinished > 0) throw new Error('the logs have a cycle: each waiting session saw a post made after it');
  }
  return found;

  function step(c: Cursor, o: RetwisOp): void {
    const me = c.log.user;
    switch (o.op) {
      case 'post': {
        const [author, seq] = parsePostId(o.id);
        if (author !== me) throw new Error(`session ${me} posted ${o.id}, an id of ${author}`);
        c.ownSeq = seq;
        c.clock.set(me, seq);
        c.merged.add(o.id);
        stamps.set(o.id, new Map(c.clock));
        return;
      }
      case 'timeline': {
        const ids = new Set(o.ids);
        let own = 0;
        for (const id of ids) if (parsePostId(id)[0] === me) own++;
        if (own < c.ownSeq) found.readYourWrites++;
        if ([...c.timeline].some((id) => !ids.has(id))) found.monotonic++;
        c.timeline = ids;
        return;
      }
      case 'read': {
        if (o.found) {
          c.bodies.add(o.id);
          return;
        }
        const [author, seq] = parsePostId(o.id);
        if (author === me && seq <= c.ownSeq) found.readYourWrites++;
        else if (c.bodies.has(o.id)) found.monotonic++;
        else if ((c.clock.get(author) ?? 0) >= seq) found.causal++;
        return;
      }
      case 'follows':
        if (o.has !== (c.following.get(o.user) ?? false)) found.readYourWrites++;
        return;
      case 'follow':
      case 'unfollow':
        c.following.set(o.user, o.op === 'follow');
        return;
    }
  }
}
