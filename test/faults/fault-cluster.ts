/**
 * The cluster a fault run drives: `skein dso` members as processes (one per seat, so a seat can
 * be killed and restarted at the same URL on the same data directory), their membership kept in
 * etcd (the cluster of DESIGN.md section 4). Optionally each member in its own
 * network namespace ({@link createLan}) for the partition fault.
 *
 * What each member holds is read straight from it (a raw connection per member asking
 * `describe`/`keys`), not through the client's routing: the checker compares every copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '../../src/client/client.ts';
import { Op } from '../../src/protocol/messages.ts';
import { startMember, type Member, type MemberOptions } from '../support/cluster.ts';
import { startEtcd, type TestEtcd } from '../support/etcd.ts';
import { RawPeer, runSkein } from '../support/node.ts';
import { createLan, type Lan } from './lan.ts';

/** Options of {@link FaultCluster.start}. */
export interface FaultClusterOptions {
  size: number;
  rf: number;
  /** Give each member a data directory (kept across its restarts). */
  dataDirs?: boolean;
  /** Put each member in its own network namespace (needs root). */
  lan?: boolean;
  /** The members' etcd lease TTL. */
  leaseTtlMs?: number;
  /** Keep each member's log (level info) in this directory, as `seat-<n>.log`. */
  logDir?: string;
}

/** How long a member may take to answer a probe before it counts as unreachable. */
const PROBE_MS = 2_000;

/** A running cluster under test; {@link FaultCluster.stop} ends everything it started. */
export class FaultCluster {
  /** The member at each seat; undefined while it is down. */
  readonly seats: (Member | undefined)[] = [];
  private readonly ports: number[] = [];
  private readonly memberUrls: string[] = [];
  private readonly dirs: (string | undefined)[] = [];
  private etcd: TestEtcd | undefined;
  private etcdUrl: string | undefined;
  private lan: Lan | undefined;
  private readonly name = `faults-${process.pid}-${Date.now().toString(36)}`;

  private constructor(readonly opts: FaultClusterOptions) {}

  /** Starts etcd (if used), the network (if asked) and `size` members; resolves once all are members. */
  static async start(opts: FaultClusterOptions): Promise<FaultCluster> {
    const cluster = new FaultCluster(opts);
    try {
      if (opts.lan) cluster.lan = createLan(opts.size);
      cluster.etcd = await startEtcd(cluster.lan ? { alsoOn: cluster.lan.hostAddress } : {});
      cluster.etcdUrl = cluster.lan ? cluster.etcd.url.replace('127.0.0.1', cluster.lan.hostAddress) : cluster.etcd.url;
      for (let i = 0; i < opts.size; i++) {
        cluster.dirs.push(opts.dataDirs ? mkdtempSync(join(tmpdir(), 'skein-faults-data-')) : undefined);
        cluster.seats.push(await cluster.startSeat(i));
        cluster.ports.push(cluster.seats[i]!.port);
        cluster.memberUrls.push(cluster.seats[i]!.url);
      }
      const client = cluster.client();
      try {
        await client.topologyWhere((t) => t.members.length === opts.size, 30_000);
      } finally {
        await client.close();
      }
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  private startSeat(i: number): Promise<Member> {
    const seat = this.lan?.seats[i];
    const opts: MemberOptions = {
      rf: this.opts.rf,
      ...(this.ports[i] !== undefined ? { port: this.ports[i] } : {}),
      ...(this.dirs[i] ? { dataDir: this.dirs[i] } : {}),
      ...(seat ? { host: seat.address, netns: seat.netns } : {}),
      ...(this.etcdUrl ? { etcd: this.etcdUrl, cluster: this.name, leaseTtlMs: this.opts.leaseTtlMs ?? 2_000 } : {}),
      ...(this.opts.logDir ? { logLevel: 'info', logFile: join(this.opts.logDir, `seat-${i}.log`) } : {}),
    };
    return startMember(opts);
  }

  /** The seats' URLs (fixed for the run: a restarted member comes back at its URL). */
  get urls(): string[] {
    return [...this.memberUrls];
  }

  /** The etcd the members are kept in, and the cluster's name there. */
  get registry(): { etcd: string; cluster: string } | undefined {
    return this.etcdUrl ? { etcd: this.etcdUrl, cluster: this.name } : undefined;
  }

  /** The members running now, with their seats. */
  live(): { seat: number; member: Member }[] {
    return this.seats.flatMap((member, seat) => (member ? [{ seat, member }] : []));
  }

  /** A client given every seat as a seed. */
  client(retryWindowMs = 10_000): Client {
    return new Client({ url: this.urls.join(','), retryWindowMs });
  }

  /** SIGKILLs the member at `seat` and waits for it to be gone. */
  async kill(seat: number): Promise<void> {
    const member = this.seats[seat];
    if (!member) return;
    this.seats[seat] = undefined;
    await member.kill();
  }

  /** Starts the member at `seat` again (same port, data directory and namespace). */
  async restart(seat: number): Promise<Member> {
    if (this.seats[seat]) throw new Error(`seat ${seat} is running`);
    const member = await this.startSeat(seat);
    this.seats[seat] = member;
    return member;
  }

  /** Sends `signal` (SIGSTOP, SIGCONT) to the member at `seat`. */
  signal(seat: number, signal: NodeJS.Signals): void {
    this.seats[seat]?.child.kill(signal);
  }

  /** Cuts the member at `seat` off from everyone (needs `lan`). */
  cut(seat: number): void {
    if (!this.lan) throw new Error('the cluster was started without its own network');
    this.lan.cut(seat);
  }

  /** Reconnects the member at `seat`. */
  heal(seat: number): void {
    this.lan?.heal(seat);
  }

  /** What each running member holds at `key` (its `describe` state, null for no copy or no answer). */
  async copies(key: string): Promise<{ member: string; state: unknown }[]> {
    return Promise.all(
      this.live().map(async ({ member }) => {
        const found = (await ask(member.url, [Op.Describe, 1, key])) as { state: unknown } | null | undefined;
        return { member: member.url, state: found?.state ?? null };
      }),
    );
  }

  /** The seats of running members that hold a copy of `key`. */
  async holders(key: string): Promise<number[]> {
    const out: number[] = [];
    for (const { seat, member } of this.live()) if ((await ask(member.url, [Op.Describe, 1, key])) != null) out.push(seat);
    return out;
  }

  /** The seat of the running member that serves `key` (each member lists the keys it owns). */
  async owner(key: string): Promise<number | undefined> {
    for (const { seat, member } of this.live()) {
      const keys = (await ask(member.url, [Op.Keys, 1, key])) as string[] | undefined;
      if (keys?.includes(key)) return seat;
    }
    return undefined;
  }

  /** `skein admin forget-lost` on this cluster (etcd only): accepts the loss of every lost object. */
  async forgetLost(): Promise<void> {
    if (!this.registry) throw new Error('forget-lost needs the etcd cluster');
    const { code, stderr } = await runSkein(['admin', 'forget-lost', '--etcd', this.registry.etcd, '--cluster', this.registry.cluster]);
    if (code !== 0) throw new Error(`skein admin forget-lost failed (${code}): ${stderr}`);
  }

  /** Resumes and reconnects everything, kills the members, stops etcd, removes the network and data. */
  async stop(): Promise<void> {
    for (const { member } of this.live()) member.child.kill('SIGCONT');
    await Promise.all(this.live().map(({ member }) => member.kill()));
    this.seats.fill(undefined);
    await this.etcd?.stop();
    this.lan?.remove();
    for (const dir of this.dirs) if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** One request straight to one member; undefined if it does not answer within {@link PROBE_MS}. */
async function ask(url: string, request: unknown[]): Promise<unknown> {
  let peer: RawPeer | undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, PROBE_MS, undefined)));
  const answer = (async () => {
    try {
      peer = await RawPeer.handshake(url);
      peer.send([request]);
      const [, status, value] = await peer.replyTo(request[1] as number);
      return status === 0 ? value : undefined;
    } finally {
      peer?.close();
    }
  })().catch(() => undefined);
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
    // An answer coming late closes its own connection; one still connecting is cut here.
    peer?.close();
  }
}
