import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startNode, type DsoNode, type NodeOptions } from '../../src/server.ts';
import { connect } from '../../src/index.ts';
import type { Client } from '../../src/client/client.ts';
import { decode, encode } from '../../src/protocol/codec.ts';
import { frame, FrameDecoder } from '../../src/protocol/frame.ts';
import { HELLO_MAGIC, PROTOCOL_VERSION, type Welcome } from '../../src/protocol/messages.ts';

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

/**
 * Starts an in-process node on a free loopback port. Given the test's `signal`, it also closes
 * when the test is aborted (timed out), so a call left parked by a broken feature fails the test
 * instead of keeping the process alive.
 */
export async function testNode(opts: NodeOptions = {}, signal?: AbortSignal): Promise<TestNode> {
  const node = await startNode({ logLevel: 'silent', ...opts });
  const clients: Client[] = [];
  const t: TestNode = {
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
  signal?.addEventListener('abort', () => void t.close(), { once: true });
  return t;
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
    // Tests write in small pieces; Nagle would hold each piece for the previous one's ACK.
    socket.setNoDelay(true);
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

  /** Opens a peer and passes the handshake; throws if the node does not welcome it. */
  static async handshake(url: string, token: string | null = null): Promise<RawPeer> {
    const peer = await RawPeer.open(url);
    peer.send([HELLO_MAGIC, PROTOCOL_VERSION, token]);
    const [reply] = (await peer.next()) as [[number, number, Welcome]];
    if (reply[0] !== 0 || reply[1] !== 0) {
      peer.close();
      throw new Error(`handshake refused: ${JSON.stringify(reply)}`);
    }
    return peer;
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

  /**
   * Reads reply frames until one holds a reply with request id `id` and returns that reply;
   * `seen` collects every reply read on the way (including it). Rejects if the connection closes
   * first.
   */
  async replyTo(id: number, seen: unknown[][] = []): Promise<unknown[]> {
    for (;;) {
      const replies = (await this.next()) as unknown[][];
      seen.push(...replies);
      const hit = replies.find((r) => r[0] === id);
      if (hit) return hit;
    }
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

/**
 * Runs `bin/skein.js` with arguments as a child process; given `netns`, inside that network
 * namespace (`ip netns exec` execs in place: the child's pid is the node's).
 */
export function skein(args: string[], env: NodeJS.ProcessEnv = {}, netns?: string): ChildProcess {
  const command = [process.execPath, `${ROOT}bin/skein.js`, ...args];
  if (netns !== undefined) command.unshift('ip', 'netns', 'exec', netns);
  return spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** How a finished `skein` command went. */
export interface SkeinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const runningSkeins = new Set<ChildProcess>();

/**
 * Runs `skein ...args` to its end and answers its exit code and everything it printed (read to
 * the end of both streams, not just to the process's exit). A test's timeout leaves it running:
 * call {@link stopSkeins} in `after`.
 */
export async function runSkein(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SkeinResult> {
  const child = skein(args, env);
  runningSkeins.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  runningSkeins.delete(child);
  return { code, stdout, stderr };
}

/** Kills the {@link runSkein} commands still running. */
export async function stopSkeins(): Promise<void> {
  for (const child of runningSkeins) await stopChild(child);
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

/** Resolves with how `child` exited (at once if it already has). */
export async function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}

/** Collects everything a child writes to stdout and stderr. */
export function output(child: ChildProcess): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out.stderr += c.toString()));
  return out;
}

/** Stops a child process if it is still running and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await exited(child);
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Which way a frame crossed a {@link FrameProxy}. */
export type Direction = 'toNode' | 'toClient';

/**
 * A TCP proxy between clients and a node that decodes the frames crossing it, so a test can see
 * how requests and replies were batched, hold requests back, and cut connections.
 */
export class FrameProxy extends EventEmitter {
  /** Decoded payloads, in arrival order, per direction (every connection). */
  readonly frames: Record<Direction, unknown[]> = { toNode: [], toClient: [] };
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private holding = false;
  private dropping = false;

  private constructor(
    private readonly server: net.Server,
    /** Where clients connect instead of the node. */
    readonly url: string,
  ) {
    super();
  }

  /** Starts a proxy to the node at `target` (a `skein://` URL). */
  static async start(target: string): Promise<FrameProxy> {
    const { hostname, port } = new URL(target);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new FrameProxy(server, `skein://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    server.on('connection', (client) => proxy.accept(client, hostname, Number(port)));
    return proxy;
  }

  /** While holding, requests are recorded but dropped, never reaching the node: calls stay in flight. */
  hold(on: boolean): void {
    this.holding = on;
  }

  /** While dropping, replies are recorded but never reach the client: calls applied, answers lost. */
  dropReplies(on: boolean): void {
    this.dropping = on;
  }

  /** Resolves once `n` frames have crossed in `direction`. */
  async waitForFrames(direction: Direction, n: number): Promise<void> {
    while (this.frames[direction].length < n) await once(this, 'frame');
  }

  /** Destroys every open connection (both sides see it as lost). */
  cut(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  /** Cuts every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, host: string, port: number): void {
    const node = net.connect({ host, port });
    const pair: [net.Socket, net.Socket] = [client, node];
    this.pairs.add(pair);
    const pipe = (from: net.Socket, to: net.Socket, direction: Direction): void => {
      const decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
      from.on('data', (chunk: Buffer) => {
        decoder.push(chunk, (payload) => {
          this.frames[direction].push(decode(payload));
          this.emit('frame', direction);
        });
        if (direction === 'toClient' ? !this.dropping : !this.holding) to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => {
        to.destroy();
        this.pairs.delete(pair);
      });
    };
    pipe(client, node, 'toNode');
    pipe(node, client, 'toClient');
  }
}
