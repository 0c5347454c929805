/**
 * The Redis peer: a redis-server started by the bench on a free loopback port (installed by
 * scripts/install-peers.sh when missing), with persistence off, driven through ioredis.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { Redis } from 'ioredis';
import { ROOT } from '../support.ts';

/** A running redis-server. */
export interface RedisPeer {
  port: number;
  pid: number;
  /** A new ioredis connection to it. */
  connect(): Promise<Redis>;
  stop(): Promise<void>;
}

function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts redis-server, installing it first if the machine lacks it. */
export async function startRedis(): Promise<RedisPeer> {
  if (!hasRedis()) {
    process.stderr.write('redis-server is missing: running scripts/install-peers.sh redis\n');
    execFileSync('bash', [`${ROOT}scripts/install-peers.sh`, 'redis'], { stdio: 'inherit' });
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready`)));
  });
  child.stdout!.resume();
  return {
    port,
    pid: child.pid!,
    async connect() {
      const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: true });
      await r.connect();
      return r;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
