import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A child process started by the bench, and what it printed when ready. */
export interface Service {
  child: ChildProcess;
  match: RegExpMatchArray;
  stop(): Promise<void>;
}

/** Starts `args` with node (tsx loader) and waits for a stdout line matching `ready`. */
export async function startService(args: string[], ready: RegExp): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SKEIN_LOG_LEVEL: 'warn' },
  });
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = out.match(ready);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before it was ready`)));
  });
  return {
    child,
    match,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Latency summary of a sample, in microseconds. */
export interface Latency {
  p50: number;
  p99: number;
  n: number;
}

/** p50 and p99 of nanosecond samples, in microseconds. */
export function latency(samplesNs: number[]): Latency {
  const s = [...samplesNs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]! / 1000;
  return { p50: at(0.5), p99: at(0.99), n: s.length };
}

/** Times `n` sequential runs of `op`, one outstanding at a time; returns nanoseconds each. */
export async function timeSequential(n: number, op: () => Promise<unknown>): Promise<number[]> {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await op();
    out[i] = Number(process.hrtime.bigint() - t0);
  }
  return out;
}

/** CPU time (user + system) a process has used so far, in seconds (Linux /proc; ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU time every process of the machine has used so far (all cores, idle and iowait excluded), in seconds. */
export function machineCpuSeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const busy = ticks.slice(0, 8).reduce((a, b, i) => (i === 3 || i === 4 ? a : a + b), 0);
  return busy / 100;
}

/** What a forked bench child answers: its reply, or the error that stopped it. */
export type ChildReply<R> = { ok: R } | { error: string };

/**
 * Child processes of one scenario, forked from a TypeScript `entry` (tsx loader, IPC channel),
 * each given its config as JSON in `argv[2]`. A child answers `{ ok: 'ready' }` once set up, then
 * one {@link ChildReply} per message; on `{ stop: true }` it closes what it opened and exits.
 */
export class BenchChildren<In, Out> {
  private constructor(private readonly children: ChildProcess[]) {}

  /** Forks one child per config and waits until each is ready. */
  static async start<In, Out>(entry: string, configs: readonly unknown[]): Promise<BenchChildren<In, Out>> {
    const children = configs.map((config) =>
      fork(entry, [JSON.stringify(config)], { cwd: ROOT, execArgv: ['--import', 'tsx'], env: { ...process.env, SKEIN_LOG_LEVEL: 'warn' } }),
    );
    const all = new BenchChildren<In, Out>(children);
    try {
      await Promise.all(children.map((c) => all.reply(c)));
    } catch (err) {
      await all.stop();
      throw err;
    }
    return all;
  }

  /** Sends `messages[i]` to child i (one message: to every child) and resolves with their replies. */
  ask(messages: In | readonly In[]): Promise<Out[]> {
    const replies = this.children.map((c) => this.reply(c) as Promise<Out>);
    this.children.forEach((c, i) => c.send((Array.isArray(messages) ? messages[i] : messages) as object));
    return Promise.all(replies);
  }

  /** Asks every child to stop, and waits until each has exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = once(child, 'exit');
        if (child.connected) child.send({ stop: true });
        else child.kill('SIGTERM');
        await gone;
      }),
    );
  }

  private reply(child: ChildProcess): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`a bench child exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m: ChildReply<unknown>) => {
        child.off('exit', onExit);
        if ('error' in m) reject(new Error(`bench child: ${m.error}`));
        else resolve(m.ok);
      });
    });
  }
}

/**
 * The child's side of {@link BenchChildren}: runs `setup`, answers ready, then answers each
 * message with `handle`'s result (an error is sent back, not thrown); on `{ stop: true }` runs
 * `close` and exits.
 */
export async function serveBenchChild<In, Out>(setup: () => Promise<void>, handle: (m: In) => Promise<Out>, close: () => Promise<void>): Promise<void> {
  const send = (m: ChildReply<unknown>): void => void process.send!(m);
  const fail = (err: unknown): void => send({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  try {
    await setup();
  } catch (err) {
    fail(err);
    return;
  }
  process.on('message', (m: In | { stop: true }) => {
    if (typeof m === 'object' && m !== null && 'stop' in m) {
      void close().finally(() => process.exit(0));
      return;
    }
    handle(m).then((ok) => send({ ok }), fail);
  });
  send({ ok: 'ready' });
}
