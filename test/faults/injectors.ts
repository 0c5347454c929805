/**
 * The six faults of issue 12, each injected on a running {@link FaultCluster} and undone by
 * itself before it returns, even when it throws (SIGCONT after SIGSTOP, the link up after a cut,
 * the hogs killed). Each records what it did, when, in the run's control history. The waits in
 * here are the faults' own durations (how long a member stays paused or cut off), not waits for
 * something to happen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { AtomicLong, type Client } from '../../src/index.ts';
import { stopChild } from '../support/node.ts';
import type { FaultCluster } from './fault-cluster.ts';
import { now, type HistoryWriter } from './history.ts';
import { recordCall } from './recorder.ts';

/** The faults, by name. */
export const FAULTS = ['kill', 'cpu-hog', 'pause', 'restart', 'double-kill', 'partition'] as const;

/** One of {@link FAULTS}. */
export type FaultName = (typeof FAULTS)[number];

/** What an injector works on. */
export interface FaultContext {
  cluster: FaultCluster;
  /** The run's own history (faults, destroys, losses). */
  control: HistoryWriter;
  /** A client of the run (for destroys). */
  client: Client;
  /** The hot key: the victim is the member serving it. */
  hotKey: string;
  /** Every key the drivers use (to find which ones a double kill lost). */
  keys: readonly string[];
  /** Objects to destroy while a member is down (restart). */
  doomed: readonly string[];
  /** How long the fault lasts (pause, cut-off, hogs, time down). */
  durationMs: number;
  /** Notes for the report (what was found about the cluster while injecting). */
  note(text: string): void;
}

function fault(ctx: FaultContext, name: FaultName, detail: string): void {
  ctx.control.write({ type: 'fault', fault: name, detail, at: now() });
}

/** The seat of the member serving the hot key (seat 0 if none says it does). */
async function victim(ctx: FaultContext): Promise<number> {
  const seat = await ctx.cluster.owner(ctx.hotKey);
  if (seat === undefined) ctx.note(`no member listed ${ctx.hotKey} as its own; seat 0 is the victim`);
  return seat ?? 0;
}

/** SIGKILL of the member serving the hot key; it stays down. */
async function kill(ctx: FaultContext): Promise<void> {
  const seat = await victim(ctx);
  fault(ctx, 'kill', `SIGKILL ${ctx.cluster.urls[seat]}`);
  await ctx.cluster.kill(seat);
}

/** Two busy processes (bounded by their own clock and killed at the end) next to the members. */
async function cpuHog(ctx: FaultContext): Promise<void> {
  const busy = `const end = Date.now() + ${ctx.durationMs}; while (Date.now() < end);`;
  const hogs: ChildProcess[] = [];
  try {
    for (let i = 0; i < 2; i++) hogs.push(spawn(process.execPath, ['-e', busy], { stdio: 'ignore' }));
    fault(ctx, 'cpu-hog', `2 busy processes for ${ctx.durationMs} ms`);
    await delay(ctx.durationMs);
  } finally {
    await Promise.all(hogs.map(stopChild));
    fault(ctx, 'cpu-hog', 'hogs gone');
  }
}

/** SIGSTOP of the member serving the hot key, SIGCONT after the duration. */
async function pause(ctx: FaultContext): Promise<void> {
  const seat = await victim(ctx);
  try {
    fault(ctx, 'pause', `SIGSTOP ${ctx.cluster.urls[seat]}`);
    ctx.cluster.signal(seat, 'SIGSTOP');
    await delay(ctx.durationMs);
  } finally {
    ctx.cluster.signal(seat, 'SIGCONT');
    fault(ctx, 'pause', `SIGCONT ${ctx.cluster.urls[seat]}`);
  }
}

/**
 * SIGKILL of the member serving the hot key; while it is down, the doomed objects are destroyed;
 * then it restarts on its data directory at its URL.
 */
async function restart(ctx: FaultContext): Promise<void> {
  const seat = await victim(ctx);
  fault(ctx, 'restart', `SIGKILL ${ctx.cluster.urls[seat]}`);
  await ctx.cluster.kill(seat);
  const started = now();
  for (const key of ctx.doomed) {
    const record = await recordCall(ctx.control, { client: 'control', object: 'AtomicLong', key, f: 'destroy' }, () => ctx.client.destroy(key));
    if (record.outcome !== 'ok') ctx.note(`destroying ${key} while ${ctx.cluster.urls[seat]} was down: ${record.outcome} ${record.code ?? ''}`);
  }
  await delay(Math.max(0, ctx.durationMs - (now() - started)));
  fault(ctx, 'restart', `restart ${ctx.cluster.urls[seat]} on its data directory`);
  await ctx.cluster.restart(seat);
}

/**
 * SIGKILL of both members holding the hot key, 300 ms apart. Every key no surviving member holds
 * right after is recorded lost (checked at once, before the cluster could re-create anything).
 */
async function doubleKill(ctx: FaultContext): Promise<void> {
  let seats = await ctx.cluster.holders(ctx.hotKey);
  if (seats.length !== 2) {
    ctx.note(`${ctx.hotKey} was held by ${seats.length} members, not 2`);
    const owner = await victim(ctx);
    seats = [owner, ...seats.filter((s) => s !== owner)].slice(0, 2);
  }
  fault(ctx, 'double-kill', `SIGKILL ${ctx.cluster.urls[seats[0]!]}`);
  await ctx.cluster.kill(seats[0]!);
  await delay(300);
  fault(ctx, 'double-kill', `SIGKILL ${ctx.cluster.urls[seats[1]!]}`);
  await ctx.cluster.kill(seats[1]!);
  const at = now();
  for (const key of ctx.keys) {
    if ((await ctx.cluster.holders(key)).length === 0) ctx.control.write({ type: 'lost', key, at });
  }
}

/** The member serving the hot key cut off from members, clients and etcd; reconnected after the duration. */
async function partition(ctx: FaultContext): Promise<void> {
  const seat = await victim(ctx);
  try {
    fault(ctx, 'partition', `cut off ${ctx.cluster.urls[seat]}`);
    ctx.cluster.cut(seat);
    await delay(ctx.durationMs);
  } finally {
    ctx.cluster.heal(seat);
    fault(ctx, 'partition', `reconnected ${ctx.cluster.urls[seat]}`);
  }
}

/** Injects `name` and resolves once it is over and undone. */
export function inject(name: FaultName, ctx: FaultContext): Promise<void> {
  switch (name) {
    case 'kill':
      return kill(ctx);
    case 'cpu-hog':
      return cpuHog(ctx);
    case 'pause':
      return pause(ctx);
    case 'restart':
      return restart(ctx);
    case 'double-kill':
      return doubleKill(ctx);
    case 'partition':
      return partition(ctx);
  }
}

/** Creates the objects a restart run destroys while its victim is down (each set to 7). */
export async function createDoomed(ctx: Pick<FaultContext, 'client' | 'control' | 'doomed'>): Promise<void> {
  for (const key of ctx.doomed) {
    const long = new AtomicLong({ key, client: ctx.client });
    await recordCall(ctx.control, { client: 'control', object: 'AtomicLong', key, f: 'set', arg: 7 }, () => long.set(7).then(() => null));
  }
}
