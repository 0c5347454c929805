import { inspect } from 'node:util';
import type { AppStatus } from '../client/apps.ts';
import type { NodeInfo, ObjectDescription } from '../protocol/messages.ts';
import { dsoOption, parseCommandLine } from './options.ts';
import { UsageError } from './usage-error.ts';

/** Help text of `skein inspect`. */
export const INSPECT_USAGE = `usage: skein inspect [key] [options]
       skein inspect --keys [prefix] [options]

Asks a DSO for its members, sessions, cache subscriptions and objects per type (lattice types
marked), and the apps running on it (threads, worker processes, cache); given a key, for that object's type, state and parked calls (for a lattice object: its
value, version, snapshots pinned, deps and the caches subscribed), exit 1 if there is none; with
--keys, for the keys of its objects, from every member of a cluster, each listed once.

options:
  --keys               list the keys (sorted) that start with the prefix given, or all
  --dso URL            the DSO to ask, skein://host:port (default: SKEIN_DSO)
  --token T            its token (default: SKEIN_TOKEN)
  --json               print JSON instead of text
  -h, --help           print this help`;

/**
 * `skein inspect`: asks a DSO node for its members, sessions, cache subscriptions and objects per
 * type; given a key, for that object's type, state and parked calls (a lattice object's value,
 * version, snapshots, deps and subscribed caches); with `--keys`, for the keys (those starting with
 * the prefix given) of every member, sorted and each once. Prints them and resolves with the exit
 * code: 0, or 1 when the key names no object. A bad command line throws a {@link UsageError}; a
 * node that cannot be reached rejects with the client's error.
 */
export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      keys: { type: 'boolean' },
      dso: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  );
  if (positionals.length > 1) throw new UsageError(`takes at most one ${values.keys ? 'prefix' : 'key'}, got ${positionals.length}`);
  const url = dsoOption(values.dso);
  if (!url) throw new UsageError('no DSO to inspect: give --dso URL or set SKEIN_DSO');
  const token = values.token ?? process.env.SKEIN_TOKEN;
  // Loaded only now: help and usage errors need no client.
  const { Client } = await import('../client/client.ts');
  const client = new Client({ url, ...(token ? { token } : {}), retryWindowMs: 0 });
  try {
    const [arg] = positionals;
    if (values.keys) {
      const keys = await client.keys(arg ?? '');
      process.stdout.write(values.json ? `${JSON.stringify(keys, null, 2)}\n` : keys.map((k) => `${k}\n`).join(''));
      return 0;
    }
    if (arg === undefined) {
      const infos = await client.infoAll();
      const json = infos.length === 1 ? infos[0] : infos;
      if (values.json) {
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return 0;
      }
      process.stdout.write(formatCluster(infos));
      // The registry of apps is an object like any other: lost or unreachable, the nodes' report stands.
      const { listApps } = await import('../client/apps.ts');
      try {
        process.stdout.write(formatApps((await listApps(client)).filter((a) => a.outcome === 'running')));
      } catch (err) {
        process.stdout.write(`apps: cannot be read (${(err as Error).message})\n`);
      }
      return 0;
    }
    const object = await client.describe(arg);
    if (!object) {
      process.stderr.write(`skein inspect: no object at key '${arg}' on ${url}\n`);
      return 1;
    }
    process.stdout.write(values.json ? `${JSON.stringify(object, jsonSafe, 2)}\n` : formatObject(object));
    return 0;
  } finally {
    await client.close();
  }
}

function formatCluster(infos: NodeInfo[]): string {
  const first = infos[0]!;
  const lines = [
    `members (${first.members.length}, epoch ${first.epoch}, rf ${first.rf}${infos.some((i) => !i.stable) ? ', handover in progress' : ''}):`,
    ...first.members.map((m) => `  ${m.url}`),
  ];
  const lost = Math.max(...infos.map((i) => i.lostRegions));
  if (lost > 0) lines.push(`lost regions: ${lost} (every copy of some keys was lost; 'skein admin forget-lost' accepts the loss)`);
  for (const info of infos) {
    const lattice = new Set(info.latticeTypes);
    lines.push(
      `node ${info.url}: protocol ${info.protocol}, up ${formatDuration(info.uptimeMs)}, ${info.sessions} session(s), ${info.parkedCalls} parked call(s), ${info.cacheSubscriptions} cache subscription(s)`,
      `objects: ${info.objects}${infos.length > 1 ? ` (owns ${info.owned}, backs up ${info.objects - info.owned})` : ''}`,
      ...Object.entries(info.byType)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, n]) => `  ${type}: ${n}${lattice.has(type) ? ' (lattice)' : ''}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The programs running on the DSO (`skein run` reports them): their threads, workers and cache. */
function formatApps(apps: AppStatus[]): string {
  if (apps.length === 0) return '';
  const lines = [`apps running: ${apps.length}`];
  for (const app of apps) {
    const t = app.threads;
    lines.push(`  ${app.program} (pid ${app.pid} on ${app.host}): threads ${t.running} running, ${t.done} done, ${t.failed} failed`);
    const w = app.workers;
    if (w) {
      lines.push(
        `    ${w.backend} workers: ${w.workers} (${w.busy} busy, ${w.idle} idle), ${w.queued} thread(s) queued; min ${w.min}, max ${w.max}; started ${w.started}, retired ${w.retired}`,
      );
    }
    const c = app.cache;
    if (c && c.keys + c.writes > 0) {
      const reads = c.hits + c.misses;
      lines.push(`    cache: ${c.keys} key(s), ${c.bytes} B, ${reads > 0 ? Math.round((100 * c.hits) / reads) : 0}% hits, ${c.unflushed} write(s) unflushed`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function formatObject(object: ObjectDescription): string {
  if (object.lattice) return formatLattice(object);
  return `${object.key}: ${object.type}, ${object.parkedCalls} parked call(s)\n${show(object.state)}\n`;
}

/** A lattice object as its `[DESCRIBE]()` tells it (see `objects/lattice-object.ts`); its parked calls are caches' subscriptions. */
function formatLattice(object: ObjectDescription): string {
  const { value, version, snapshots, deps, depsLost } = object.state as { value: unknown; version: number; snapshots: number; deps: number; depsLost?: true };
  return [
    `${object.key}: ${object.type} (lattice)`,
    `  value: ${show(value).replace(/\n/g, '\n  ')}`,
    `  version: ${version}`,
    `  snapshots pinned: ${snapshots} (repeatable-read sessions)`,
    `  deps: ${deps}${depsLost ? ' (some dropped: causal readers read the other keys from their nodes)' : ''}`,
    `  caches subscribed: ${object.parkedCalls}`,
    '',
  ].join('\n');
}

function show(value: unknown): string {
  return inspect(value, { depth: null, colors: process.stdout.isTTY, breakLength: 100 });
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Handles and other class values print as what they are, not as `{}`. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'type' in value && 'key' in value && value.constructor?.name !== 'Object') {
    return { '@handle': `${String((value as { type: unknown }).type)} '${String((value as { key: unknown }).key)}'` };
  }
  return value;
}
