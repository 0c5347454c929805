/** A DSO node in its own process, as the DSO scenarios use it. */
import { readFileSync } from 'node:fs';
import { startService, type Service } from '../support.ts';

/** Starts `skein dso --port 0`; `url` is where it listens. */
export async function startDsoNode(): Promise<Service & { url: string }> {
  const s = await startService(['bin/skein.js', 'dso', '--port', '0', '--log-level', 'warn'], /listening on (skein:\/\/\S+)/);
  return Object.assign(s, { url: s.match[1]! });
}

/** Resident memory of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
