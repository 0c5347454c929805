/**
 * A client process of `consistency-cost` (forked by {@link BenchChildren}, with `SKEIN_DSO` set so
 * handles use its default client, and one local-backend worker for the threads sessions spawn).
 * For each `{ level, sessions, round }` it runs that many sessions one after another, each a few
 * reads and writes over registers and counters drawn Zipf-like from the level's keys; some write
 * this process's causal pair (`a = i`, then `b = i`), some read another's (`b`, then `a`), some run
 * part of their operations in a spawned thread. It answers each session's time and log.
 */
import { configureRuntime, defaultClient, session, shutdownRuntime, type Consistency } from '../../src/index.ts';
import { runOps, sessionPart, type Logged, type Op } from '../tasks/consistency-ops.ts';
import { serveBenchChild } from '../support.ts';

/** What the parent passes as the one argument (JSON). */
export interface ConsistencyConfig {
  index: number;
  processes: number;
  keys: number;
  seed: number;
}
export interface SessionsRequest {
  level: Consistency;
  sessions: number;
}
/** One session: its tag, its time (ns, `end()` included) and what it read and wrote, in order. */
export interface SessionLog {
  tag: string;
  ns: number;
  spawned: boolean;
  log: Logged[];
}

const config = JSON.parse(process.argv[2]!) as ConsistencyConfig;
const OPS = 6;

/** A small seeded generator (mulberry32): the same workload under every level. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(1) over ranks 0..n-1: cumulative weights 1/(r+1). */
const cumulative: number[] = [];
for (let r = 0, sum = 0; r < config.keys; r++) cumulative.push((sum += 1 / (r + 1)));
function zipf(random: () => number): number {
  const x = random() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const randoms = new Map<Consistency, () => number>();
const generations = new Map<Consistency, number>();
let sessionsRun = 0;

async function runSession(level: Consistency): Promise<SessionLog> {
  const random = randoms.get(level) ?? generator(config.seed);
  randoms.set(level, random);
  const tag = `p${config.index}s${++sessionsRun}`;
  const pair = (p: number, which: 'a' | 'b'): string => `cc-${level}-pair-${which}-${p}`;
  const ops: Op[] = [];
  const shape = random();
  if (shape < 0.25) {
    const i = (generations.get(level) ?? 0) + 1;
    generations.set(level, i);
    ops.push({ kind: 'write', type: 'lww', key: pair(config.index, 'a'), i }, { kind: 'write', type: 'lww', key: pair(config.index, 'b'), i });
  } else if (shape < 0.5) {
    const other = (config.index + 1 + Math.floor(random() * (config.processes - 1))) % config.processes;
    ops.push({ kind: 'read', type: 'lww', key: pair(other, 'b') }, { kind: 'read', type: 'lww', key: pair(other, 'a') });
  }
  for (let o = 0; o < OPS; o++) {
    const rank = zipf(random);
    ops.push({ kind: random() < 2 / 3 ? 'read' : 'write', type: rank % 2 === 0 ? 'lww' : 'pn', key: `cc-${level}-k${rank}` });
  }
  // One session in 8 runs its last 3 operations in a thread, then again itself: the thread reads
  // what the session wrote before it, and the session then reads what the thread wrote.
  const spawned = random() < 1 / 8;
  const s = session({ consistency: level });
  const t0 = process.hrtime.bigint();
  const log = await s.run(async () => {
    if (!spawned) return runOps(ops, tag, 0);
    const before = await runOps(ops.slice(0, -3), tag, 0);
    const inThread = await sessionPart.run({ ops: ops.slice(-3), tag, firstSeq: 1000 }, { session: s });
    const after = await runOps(ops.slice(-3), tag, 2000);
    return [...before, ...inThread, ...after];
  });
  await s.end();
  return { tag, ns: Number(process.hrtime.bigint() - t0), spawned, log };
}

await serveBenchChild<SessionsRequest, SessionLog[]>(
  async () => {
    configureRuntime({ backend: 'local', workers: 1 });
  },
  async ({ level, sessions }) => {
    const out: SessionLog[] = [];
    for (let n = 0; n < sessions; n++) out.push(await runSession(level));
    return out;
  },
  async () => {
    await shutdownRuntime();
    await defaultClient().close();
  },
);
