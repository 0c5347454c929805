import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './node.ts';

/** A real etcd server (Debian's `etcd-server`) run by a test on loopback ports. */
export interface TestEtcd {
  /** The client URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Stops it (SIGKILL) and removes its data directory. */
  stop(): Promise<void>;
}

const running = new Set<TestEtcd>();

/**
 * Starts a one-member etcd in a fresh temporary directory and resolves once it serves clients;
 * `alsoOn` is an address of this machine it serves clients on too, at the same port (for members
 * in network namespaces, which cannot reach this one's loopback).
 * `scripts/ensure-etcd.sh` (run by `npm test`) installs etcd where it is missing.
 */
export async function startEtcd(opts: { alsoOn?: string } = {}): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-etcd-'));
  const client = await freePort();
  const peer = await freePort();
  const child = spawn(
    'etcd',
    [
      '--name', 'test',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', [`http://127.0.0.1:${client}`, ...(opts.alsoOn ? [`http://${opts.alsoOn}:${client}`] : [])].join(','),
      '--advertise-client-urls', `http://127.0.0.1:${client}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `test=http://127.0.0.1:${peer}`,
      '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch } },
  );
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`etcd could not start (run scripts/ensure-etcd.sh): ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`etcd exited (${code}) before serving: ${log}`)));
  });
  failed.catch(() => undefined);
  const ready = Promise.race([failed, healthy(`http://127.0.0.1:${client}`)]);
  const gone = once(child, 'exit');
  const etcd: TestEtcd = {
    url: `http://127.0.0.1:${client}`,
    child,
    async stop() {
      running.delete(etcd);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(etcd);
  try {
    await ready;
  } catch (err) {
    await etcd.stop();
    throw err;
  }
  return etcd;
}

/** Resolves once etcd at `url` reports itself healthy (it has a leader and serves). */
async function healthy(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`etcd at ${url} did not become healthy`);
}

/** Stops every etcd still running (for `after`). */
export async function stopEtcds(): Promise<void> {
  await Promise.all([...running].map((e) => e.stop()));
}
