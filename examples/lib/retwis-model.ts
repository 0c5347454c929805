/**
 * Retwis's data model (the Redis Twitter clone Cloudburst evaluated, section 6.3.2) on lattice
 * objects, and what a user does. Each key is prefixed by the run's `prefix`:
 *
 * | key | type | holds |
 * |---|---|---|
 * | `posts.<user>` | `LwwMap<id, Post>` | the user's posts, by id (`<user>:<seq>`) |
 * | `timeline.<user>` | `GSet<[ms, id]>` | the posts of the user and of whom the user followed when they posted |
 * | `following.<user>` / `followers.<user>` | `OrSet<user>` | whom the user follows / who follows the user |
 * | `followerCount.<user>` | `PnCounter` | follows minus unfollows of the user |
 * | `postCount` | `PnCounter` | posts made |
 *
 * A post writes its body, then its id on the author's timeline and on each follower's (fan-out on
 * write, as Retwis does). Every call runs in the calling code's session (the thread's), so the
 * model itself does not know the consistency level. Each step is logged (see retwis-anomalies.ts).
 */
import { GSet, LwwMap, OrSet, PnCounter } from 'skein';
import { parsePostId, type RetwisOp } from './retwis-anomalies.ts';

/** A post's body: its text, and the id of the post it replies to, if any. */
export interface Post {
  text: string;
  replyTo: string | null;
}

/** A timeline entry: when the post was made (ms since the epoch, the author's clock) and its id. */
export type TimelineEntry = [ms: number, id: string];

/** How many of a timeline's newest posts a read shows (reading their bodies, and the posts replied to). */
export const SHOWN = 10;

/** The name of user `n`. */
export const userName = (n: number): string => `u${n}`;

/** The objects of a run whose keys start with `prefix`. */
export class RetwisStore {
  constructor(readonly prefix: string) {}
  posts(user: string): LwwMap<string, Post> {
    return new LwwMap({ key: `${this.prefix}.posts.${user}` });
  }
  timeline(user: string): GSet<TimelineEntry> {
    return new GSet({ key: `${this.prefix}.timeline.${user}` });
  }
  following(user: string): OrSet<string> {
    return new OrSet({ key: `${this.prefix}.following.${user}` });
  }
  followers(user: string): OrSet<string> {
    return new OrSet({ key: `${this.prefix}.followers.${user}` });
  }
  followerCount(user: string): PnCounter {
    return new PnCounter({ key: `${this.prefix}.followerCount.${user}` });
  }
  postCount(): PnCounter {
    return new PnCounter({ key: `${this.prefix}.postCount` });
  }
}

/** One user's requests, in the session the calling code runs in; each appends what it did and saw to `log`. */
export class RetwisUser {
  constructor(
    private readonly store: RetwisStore,
    readonly name: string,
    private readonly log: RetwisOp[],
  ) {}

  /** Posts `text` as post number `seq`, replying to `replyTo` if given. */
  async post(seq: number, text: string, replyTo: string | null): Promise<void> {
    const id = `${this.name}:${seq}`;
    await this.store.posts(this.name).set(id, { text, replyTo });
    await this.store.postCount().add(1);
    const entry: TimelineEntry = [Date.now(), id];
    const followers = await this.store.followers(this.name).values();
    for (const user of [this.name, ...followers]) await this.store.timeline(user).add(entry);
    this.log.push({ op: 'post', id, replyTo });
  }

  /**
   * Reads the timeline and shows its {@link SHOWN} newest posts: their bodies, and for a reply the
   * post it replies to. Answers the newest post of another user whose body it found (to reply to), or null.
   */
  async readTimeline(): Promise<string | null> {
    const entries = await this.store.timeline(this.name).values();
    this.log.push({ op: 'timeline', ids: entries.map(([, id]) => id) });
    const newest = entries.sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1)).slice(0, SHOWN);
    let replyable: string | null = null;
    for (const [, id] of newest) {
      const post = await this.readPost(id);
      if (post?.replyTo) await this.readPost(post.replyTo);
      if (post && replyable === null && !id.startsWith(`${this.name}:`)) replyable = id;
    }
    return replyable;
  }

  /** Follows `user` if it does not, else unfollows it. */
  async toggleFollow(user: string): Promise<void> {
    const has = await this.store.following(this.name).has(user);
    this.log.push({ op: 'follows', user, has });
    if (has) await this.unfollow(user);
    else await this.follow(user);
  }

  /** Follows `user` (the caller knows it does not yet). */
  async follow(user: string): Promise<void> {
    await this.store.following(this.name).add(user);
    await this.store.followers(user).add(this.name);
    await this.store.followerCount(user).add(1);
    this.log.push({ op: 'follow', user });
  }

  private async unfollow(user: string): Promise<void> {
    await this.store.following(this.name).remove(user);
    await this.store.followers(user).remove(this.name);
    await this.store.followerCount(user).add(-1);
    this.log.push({ op: 'unfollow', user });
  }

  private async readPost(id: string): Promise<Post | undefined> {
    const [author] = parsePostId(id);
    const post = await this.store.posts(author).get(id);
    this.log.push({ op: 'read', id, found: post !== undefined });
    return post;
  }
}
