import { once } from 'node:events';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startNode, type DsoNode, type NodeOptions } from '../../src/server.ts';
import { connect } from '../../src/index.ts';
import type { Client } from '../../src/client/client.ts';
import { encode } from '../../src/protocol/codec.ts';
import { frame, FrameDecoder } from '../../src/protocol/frame.ts';
import { decode } from '../../src/protocol/codec.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A node and the clients opened on it, all closed by `close()`. */
export interface TestNode {
  node: DsoNode;
  url: string;
  /** Opens a client on this node (closed with the node). */
  client(token?: string): Promise<Client>;
  close(): Promise<void>;
}

/** Starts an in-process node on a free loopback port. */
export async function testNode(opts: NodeOptions = {}): Promise<TestNode> {
  const node = await startNode({ logLevel: 'silent', ...opts });
  const clients: Client[] = [];
  return {
    node,
    url: node.url,
    async client(token = opts.token) {
      const c = await connect({ url: node.url, ...(token !== undefined ? { token } : {}) });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.close();
      await node.close();
    },
  };
}

/**
 * A raw socket speaking frames, for tests that send what a correct client never would.
 * `replies()` yields decoded frames as they arrive.
 */
export class RawPeer {
  readonly socket: net.Socket;
  private readonly frames: unknown[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    socket.on('data', (chunk) =>
      decoder.push(chunk, (payload) => {
        this.frames.push(decode(payload));
        this.notify();
      }),
    );
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  static async open(url: string): Promise<RawPeer> {
    const { hostname, port } = new URL(url);
    const socket = net.connect({ host: hostname, port: Number(port) });
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  /** Sends one frame whose payload is `value` encoded. */
  send(value: unknown): void {
    this.socket.write(frame(encode(value)));
  }

  /** Sends raw bytes. */
  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Next decoded frame; rejects if the connection closes first. */
  async next(): Promise<unknown> {
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.frames.shift();
  }

  /** Resolves when the node has closed the connection. */
  async closedByPeer(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Runs `bin/skein.js` with arguments as a child process. */
export function skein(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [`${ROOT}bin/skein.js`, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first stdout line of `child` that matches `pattern`. */
export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      const m = buf.match(pattern);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before printing ${pattern}; stdout: ${buf}`)));
  });
}
