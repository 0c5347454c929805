/**
 * Retwis, the Twitter clone Cloudburst evaluated its causal consistency with (section 6.3.2), on
 * lattice objects (examples/lib/retwis-model.ts has the data model). Each user is a session at the
 * chosen consistency level, served by a chain of cloud threads (each a few requests: the next may
 * run in another worker, with another cache, as Cloudburst's functions ran on other executors).
 * A user signs up following a Zipf(1.5)-distributed number of others, then makes a mix of requests:
 * 70% timeline reads (the 10 newest posts, and the posts they reply to), 20% posts (half of them
 * replies to the newest post of another user it saw), 10% follows or unfollows.
 *
 * Printed per level: throughput, and the anomalies an independent checker finds in what the
 * sessions read and wrote (examples/lib/retwis-anomalies.ts); then the stored state is checked
 * against the logs (every post stored once, follower counts equal follows minus unfollows).
 *
 *   npx skein run examples/retwis.ts                                  (causal)
 *   CONSISTENCY=eventual,read-your-writes,causal USERS=200 npx skein run examples/retwis.ts
 */
import { session, task, type Consistency } from 'skein';
import { BadSettingError, envInt } from './lib/env.ts';
import { Random } from './lib/random.ts';
import { checkRetwis, parsePostId, type RetwisAnomalies, type RetwisOp, type UserLog } from './lib/retwis-anomalies.ts';
import { RetwisStore, RetwisUser, userName } from './lib/retwis-model.ts';

/** The levels a run can use. */
export const LEVELS: readonly Consistency[] = ['eventual', 'read-your-writes', 'repeatable-read', 'causal'];

/**
 * The anomalies each level promises away, of those the checker counts. `repeatable-read` promises
 * that every read of a key returns the session's first version of it, which these logs do not
 * test: none is asserted of it.
 */
export const PROMISED: Record<Consistency, ReadonlyArray<keyof RetwisAnomalies>> = {
  eventual: [],
  'read-your-writes': ['readYourWrites', 'monotonic'],
  'repeatable-read': [],
  causal: ['readYourWrites', 'monotonic', 'causal'],
};

/** The size and level of a run. */
export interface RetwisParams {
  consistency: Consistency;
  users: number;
  /** Threads each user's session runs in, one after another. */
  segments: number;
  /** Requests per thread. */
  requests: number;
  /** The most users one follows at sign-up (Cloudburst: 30). */
  maxFollows: number;
  seed: number;
}

/** What a run did. */
export interface RetwisRun {
  params: RetwisParams;
  /** The keys of the run's objects start with this. */
  prefix: string;
  /** Requests made, sign-up follows included. */
  requests: number;
  /** Wall time of the sessions, from the first thread's spawn to the last one's result. */
  seconds: number;
  logs: UserLog[];
  anomalies: RetwisAnomalies;
}

interface SegmentArg {
  prefix: string;
  user: number;
  users: number;
  segment: number;
  requests: number;
  seed: number;
  /** Whom to follow first (sign-up). */
  signUp: number[];
  /** The user's next post number, and the post it would reply to: what the user carries from its last thread. */
  nextSeq: number;
  replyable: string | null;
}

interface SegmentResult {
  ops: RetwisOp[];
  nextSeq: number;
  replyable: string | null;
  requests: number;
}

/** A few requests of one user, in the user's session (the thread's). */
export const userRequests = task('retwis.requests', async (a: SegmentArg): Promise<SegmentResult> => {
  const ops: RetwisOp[] = [];
  const me = new RetwisUser(new RetwisStore(a.prefix), userName(a.user), ops);
  const rng = new Random(a.seed ^ a.user, a.segment);
  for (const other of a.signUp) await me.follow(userName(other));
  let { nextSeq, replyable } = a;
  for (let i = 0; i < a.requests; i++) {
    const r = rng.next();
    if (r < 0.7) replyable = (await me.readTimeline()) ?? replyable;
    else if (r < 0.9) {
      const replyTo = replyable !== null && rng.next() < 0.5 ? replyable : null;
      await me.post(nextSeq, `post ${nextSeq} of ${me.name}${replyTo ? `, replying to ${replyTo}` : ''}`, replyTo);
      nextSeq++;
    } else {
      await me.toggleFollow(userName((a.user + 1 + rng.below(a.users - 1)) % a.users));
    }
  }
  return { ops, nextSeq, replyable, requests: a.signUp.length + a.requests };
});

/** The users `user` follows at sign-up: a Zipf(1.5)-distributed number, at most `maxFollows`, picked at random. */
function followPlan(user: number, users: number, maxFollows: number, rng: Random): number[] {
  const cap = Math.min(maxFollows, users - 1);
  const weights = Array.from({ length: cap }, (_, k) => (k + 1) ** -1.5);
  let x = rng.next() * weights.reduce((a, b) => a + b, 0);
  let count = 1;
  while (count < cap && (x -= weights[count - 1]!) > 0) count++;
  const picked = new Set<number>();
  while (picked.size < count) picked.add((user + 1 + rng.below(users - 1)) % users);
  return [...picked];
}

/** Runs every user's session at once, each its `segments` threads one after another; resolves to what they did. */
export async function runRetwis(params: RetwisParams): Promise<RetwisRun> {
  const { users, segments, requests, maxFollows, seed, consistency } = params;
  if (users < 2) throw new RangeError('Retwis needs at least 2 users');
  const prefix = `retwis.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
  const rng = new Random(seed, 0x7e7);
  const plans = Array.from({ length: users }, (_, u) => followPlan(u, users, maxFollows, rng));
  const started = performance.now();
  const results = await Promise.all(
    plans.map(async (signUp, user) => {
      const s = session({ consistency });
      const log: UserLog = { user: userName(user), ops: [] };
      let carried = { nextSeq: 1, replyable: null as string | null };
      let made = 0;
      for (let segment = 0; segment < segments; segment++) {
        const arg = { prefix, user, users, segment, requests, seed, signUp: segment === 0 ? signUp : [], ...carried };
        const out = await userRequests.run(arg, { session: s });
        log.ops.push(...out.ops);
        carried = { nextSeq: out.nextSeq, replyable: out.replyable };
        made += out.requests;
      }
      await s.end();
      return { log, made };
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const logs = results.map((r) => r.log);
  return { params, prefix, requests: results.reduce((a, r) => a + r.made, 0), seconds, logs, anomalies: checkRetwis(logs) };
}

/**
 * Checks the stored state against the logs, read afresh from the DSO: the post count and each
 * user's posts are exactly the posts made, each post is on its author's timeline once, and each
 * user's follower count and follower set are what the follows and unfollows made leave.
 * Answers what disagrees (nothing: an empty list).
 */
export async function checkStored(run: RetwisRun): Promise<string[]> {
  const store = new RetwisStore(run.prefix);
  const wrong: string[] = [];
  const posts = new Map<string, Array<{ id: string; replyTo: string | null }>>();
  const follows = new Map<string, { net: number; last: Map<string, boolean> }>();
  for (const { user, ops } of run.logs) {
    posts.set(user, []);
    for (const o of ops) {
      if (o.op === 'post') posts.get(user)!.push(o);
      if (o.op === 'follow' || o.op === 'unfollow') {
        const f = follows.get(o.user) ?? { net: 0, last: new Map() };
        follows.set(o.user, f);
        f.net += o.op === 'follow' ? 1 : -1;
        f.last.set(user, o.op === 'follow');
      }
    }
  }
  const made = [...posts.values()].reduce((a, p) => a + p.length, 0);
  const counted = await store.postCount().value();
  if (counted !== made) wrong.push(`postCount is ${counted}, ${made} posts were made`);
  for (const [user, own] of posts) {
    const stored = new Map(await store.posts(user).entries());
    if (stored.size !== own.length) wrong.push(`${user} has ${stored.size} posts stored, made ${own.length}`);
    for (const { id, replyTo } of own) {
      const body = stored.get(id);
      if (!body) wrong.push(`${id} is not stored`);
      else if (body.replyTo !== replyTo) wrong.push(`${id} replies to ${body.replyTo}, was posted replying to ${replyTo}`);
    }
    const onTimeline = (await store.timeline(user).values()).filter(([, id]) => parsePostId(id)[0] === user).map(([, id]) => id);
    if (onTimeline.length !== own.length || new Set(onTimeline).size !== own.length) {
      wrong.push(`${user}'s timeline holds ${onTimeline.length} entries of its own posts (${new Set(onTimeline).size} distinct), made ${own.length}`);
    }
  }
  for (const { user } of run.logs) {
    const f = follows.get(user) ?? { net: 0, last: new Map<string, boolean>() };
    const count = await store.followerCount(user).value();
    if (count !== f.net) wrong.push(`${user}'s follower count is ${count}; follows minus unfollows: ${f.net}`);
    const expected = [...f.last].filter(([, on]) => on).map(([u]) => u).sort();
    const actual = (await store.followers(user).values()).sort();
    if (expected.join() !== actual.join()) wrong.push(`${user}'s followers are [${actual.join(', ')}]; by the follows and unfollows made: [${expected.join(', ')}]`);
  }
  return wrong;
}

/** The levels in `CONSISTENCY` (comma-separated; default `causal`). */
export function consistencyLevels(): Consistency[] {
  const raw = process.env.CONSISTENCY?.trim() || 'causal';
  const levels = raw.split(',').map((l) => l.trim());
  for (const l of levels) {
    if (!LEVELS.includes(l as Consistency)) throw new BadSettingError(`CONSISTENCY=${raw}: '${l}' is not one of ${LEVELS.join(', ')}`);
  }
  return levels as Consistency[];
}

export default async function main(): Promise<string> {
  const sizes = {
    users: envInt('USERS', 100, { min: 2 }),
    segments: envInt('SEGMENTS', 4, { min: 1 }),
    requests: envInt('REQUESTS', 10, { min: 1 }),
    maxFollows: envInt('MAX_FOLLOWS', 30, { min: 1 }),
    seed: envInt('SEED', 42),
  };
  const lines: string[] = [];
  const broken: string[] = [];
  for (const consistency of consistencyLevels()) {
    const run = await runRetwis({ ...sizes, consistency });
    const wrong = await checkStored(run);
    const a = run.anomalies;
    const posts = run.logs.reduce((n, l) => n + l.ops.filter((o) => o.op === 'post').length, 0);
    lines.push(
      `retwis ${consistency}: ${sizes.users} users, ${run.requests} requests (${posts} posts) in ${run.seconds.toFixed(2)} s, ` +
        `${(run.requests / run.seconds).toFixed(0)} requests/s; anomalies: read-your-writes ${a.readYourWrites}, monotonic ${a.monotonic}, causal ${a.causal}; ` +
        (wrong.length === 0 ? 'stored state consistent' : `stored state: ${wrong.length} mismatches (${wrong.slice(0, 3).join('; ')})`),
    );
    const promised = PROMISED[consistency].filter((k) => a[k] > 0);
    if (promised.length > 0) broken.push(`${consistency} showed ${promised.map((k) => `${a[k]} ${k}`).join(', ')} anomalies`);
    if (wrong.length > 0 && consistency !== 'eventual') broken.push(`${consistency}: ${wrong.join('; ')}`);
  }
  if (broken.length > 0) throw new Error(`${lines.join('\n')}\nthe run broke the level's promises:\n${broken.join('\n')}`);
  return lines.join('\n');
}
