import { spawn, type ChildProcess } from 'node:child_process';
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
