/**
 * A client process of `cluster-throughput` (forked with an IPC channel): opens `clients` clients
 * of the cluster, each on all the seeds, and waits until each sees all `members`; then, for each
 * `{ calls }` the parent sends, every client makes `calls` AtomicLong.incrementAndGet calls with
 * `window` outstanding, over `keys` keys round robin, and the process answers `{ done }`.
 */
import { AtomicLong, connect } from '../../src/index.ts';
import type { Client } from '../../src/client/client.ts';
import { windowed } from '../load.ts';

/** What the parent passes as the one argument (JSON). */
export interface ClusterClientsConfig {
  seeds: string;
  members: number;
  clients: number;
  window: number;
  keys: string[];
  /** Where this process starts in `keys`, so processes do not march over the same keys in step. */
  offset: number;
}

/** Messages between the parent and this process. */
export type ToClients = { calls: number } | { stop: true };
export type FromClients = { ready: true } | { done: true } | { error: string };

const config = JSON.parse(process.argv[2]!) as ClusterClientsConfig;
const send = (m: FromClients): void => void process.send!(m);

try {
  const clients: Client[] = [];
  for (let i = 0; i < config.clients; i++) clients.push(await connect({ url: config.seeds }));
  for (const c of clients) await c.topologyWhere((t) => t.members.length === config.members);
  const counters = clients.map((client) => config.keys.map((key) => new AtomicLong({ key, client })));
  let next = config.offset;
  process.on('message', (m: ToClients) => {
    if ('stop' in m) {
      void Promise.all(clients.map((c) => c.close())).then(() => process.exit(0));
      return;
    }
    const start = next;
    next += m.calls;
    const n = config.keys.length;
    Promise.all(counters.map((mine) => windowed(m.calls, config.window, (i) => mine[(start + i) % n]!.incrementAndGet())))
      .then(() => send({ done: true }))
      .catch((err: unknown) => send({ error: String(err) }));
  });
  send({ ready: true });
} catch (err) {
  send({ error: String(err) });
}
