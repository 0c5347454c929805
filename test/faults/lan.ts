/**
 * A private network of Linux network namespaces for the partition fault: a bridge in this
 * namespace, and one namespace per member joined to it by a veth pair, each with its own address
 * in a /24 of 10.231.0.0/16. Clients and etcd stay in this namespace and reach the members
 * through the bridge; a member is cut off from everyone (members, clients, etcd) by taking its
 * veth link down, and healed by bringing it up. Established connections stall rather than
 * reset, as across a real partition.
 *
 * Why namespaces and not iptables owner rules on loopback: `ip` (iproute2) is on every Debian
 * machine and needs nothing installed; owner rules match only locally generated packets by uid
 * or cgroup, so each member would need its own user, and iptables/nftables is not installed.
 * Needs root (CAP_NET_ADMIN), as CI has; scripts/ensure-iproute2.sh installs `ip` if missing. Everything is named `skf<pid>...`; `remove()` deletes it
 * all, and {@link createLan} first deletes what a dead run (a pid no longer alive) left behind.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../support/node.ts';

/** One member's place on the network. */
export interface Seat {
  /** The namespace to run the member in (`ip netns exec`). */
  readonly netns: string;
  /** Its address there, which it binds and advertises. */
  readonly address: string;
}

/** The network, its seats, and the partition switch. */
export interface Lan {
  /** This namespace's address on the bridge (where etcd can listen for the members). */
  readonly hostAddress: string;
  readonly seats: readonly Seat[];
  /** Cuts seat `i` off from everyone. */
  cut(i: number): void;
  /** Reconnects seat `i`. */
  heal(i: number): void;
  /** Deletes the namespaces, links and bridge (safe to call twice). */
  remove(): void;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Makes sure namespaces can be built here: root, and `ip` (installed by
 * scripts/ensure-iproute2.sh where it is missing).
 */
function ensureIp(): void {
  if (process.getuid?.() !== 0) throw new Error('the partition fault needs root (CAP_NET_ADMIN) to build its network namespaces');
  try {
    ip('-V');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    execFileSync(join(ROOT, 'scripts/ensure-iproute2.sh'), { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

/** `ip` for cleaning up: what is already gone is no error. */
function ipQuietly(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces and links named by runs whose process is gone. */
function removeStale(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const m = /^skf(\d+)n\d+/.exec(line);
    if (m && !alive(Number(m[1]))) ipQuietly('netns', 'delete', m[0]);
  }
  for (const line of ip('-o', 'link', 'show').split('\n')) {
    const m = /^\d+: (skf(\d+)[bv]\d*)[@:]/.exec(line);
    if (m && !alive(Number(m[2]))) ipQuietly('link', 'delete', m[1]!);
  }
}

/** A /24 of 10.231.0.0/16 that no interface uses yet. */
function freeSubnet(): number {
  const used = ip('-4', '-o', 'addr', 'show');
  for (let k = 0; k < 250; k++) {
    const n = (process.pid + k) % 250;
    if (!used.includes(` 10.231.${n}.`)) return n;
  }
  throw new Error('no free /24 in 10.231.0.0/16');
}

/** Creates a network of `n` member seats; call `remove()` in a `finally` or `after`. */
export function createLan(n: number): Lan {
  ensureIp();
  removeStale();
  const tag = `skf${process.pid}`;
  const bridge = `${tag}b`;
  const subnet = `10.231.${freeSubnet()}`;
  const seats: Seat[] = [];
  const links: string[] = [];
  let removed = false;
  const lan: Lan = {
    hostAddress: `${subnet}.1`,
    seats,
    cut: (i) => void ip('link', 'set', links[i]!, 'down'),
    heal: (i) => void ip('link', 'set', links[i]!, 'up'),
    remove() {
      if (removed) return;
      removed = true;
      // Deleting a namespace deletes the veth end inside it, and with it the pair.
      for (const seat of seats) ipQuietly('netns', 'delete', seat.netns);
      for (const link of links) ipQuietly('link', 'delete', link);
      ipQuietly('link', 'delete', bridge);
    },
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${lan.hostAddress}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (let i = 0; i < n; i++) {
      const netns = `${tag}n${i}`;
      const link = `${tag}v${i}`;
      const inner = `${tag}p${i}`;
      const address = `${subnet}.${10 + i}`;
      ip('netns', 'add', netns);
      seats.push({ netns, address });
      ip('link', 'add', link, 'type', 'veth', 'peer', 'name', inner);
      links.push(link);
      ip('link', 'set', inner, 'netns', netns);
      ip('link', 'set', link, 'master', bridge);
      ip('link', 'set', link, 'up');
      ip('netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up');
      ip('netns', 'exec', netns, 'ip', 'addr', 'add', `${address}/24`, 'dev', inner);
      ip('netns', 'exec', netns, 'ip', 'link', 'set', inner, 'up');
    }
  } catch (err) {
    lan.remove();
    throw err;
  }
  return lan;
}
