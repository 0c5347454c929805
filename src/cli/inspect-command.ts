import { parseArgs, inspect } from 'node:util';
import type { NodeInfo, ObjectDescription } from '../protocol/messages.ts';
import { UsageError } from './usage-error.ts';

/** Help text of `skein inspect`. */
export const INSPECT_USAGE = `skein inspect [key] [options]   show a DSO's members and objects, or one object's state

  --dso URL            the DSO to ask (default: SKEIN_DSO)
  --token T            its token (default: SKEIN_TOKEN)
  --json               print JSON instead of text
  --help               print this help`;

/**
 * `skein inspect`: asks a DSO node for its members, sessions and objects per type, or, given a
 * key, for that object's type, state and parked calls, and prints them. Resolves with the exit
 * code: 0, or 1 when the key names no object. A bad command line throws a {@link UsageError}; a
 * node that cannot be reached rejects with the client's error.
 */
export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      dso: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${INSPECT_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`inspect takes at most one key, got ${positionals.length}`);
  const url = values.dso ?? process.env.SKEIN_DSO;
  if (!url) throw new UsageError('no DSO to inspect: give --dso URL or set SKEIN_DSO');
  const token = values.token ?? process.env.SKEIN_TOKEN;
  // Loaded only now: help and usage errors need no client.
  const { Client } = await import('../client/client.ts');
  const client = new Client({ url, ...(token ? { token } : {}), retryWindowMs: 0 });
  try {
    const key = positionals[0];
    if (key === undefined) {
      const infos = await client.infoAll();
      const json = infos.length === 1 ? infos[0] : infos;
      process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : formatCluster(infos));
      return 0;
    }
    const object = await client.describe(key);
    if (!object) {
      process.stderr.write(`skein inspect: no object at key '${key}' on ${url}\n`);
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
    lines.push(
      `node ${info.url}: protocol ${info.protocol}, up ${formatDuration(info.uptimeMs)}, ${info.sessions} session(s), ${info.parkedCalls} parked call(s)`,
      `objects: ${info.objects}${infos.length > 1 ? ` (owns ${info.owned}, backs up ${info.objects - info.owned})` : ''}`,
      ...Object.entries(info.byType)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, n]) => `  ${type}: ${n}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

function formatObject(object: ObjectDescription): string {
  return `${object.key}: ${object.type}, ${object.parkedCalls} parked call(s)\n${inspect(object.state, { depth: null, colors: process.stdout.isTTY, breakLength: 100 })}\n`;
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
