import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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
