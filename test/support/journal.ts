import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh temp directory, removed with everything in it when test `t` ends. */
export function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-journal-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Record number `i` as the journal fixtures write it: its number, then filler of a size that
 * varies with `i` (every 50th is 20 KiB), so frames of many sizes meet a kill.
 */
export function numberedRecord(i: number): Uint8Array {
  const size = i % 50 === 0 ? 20 * 1024 : i % 300;
  return new TextEncoder().encode(`${i}:${'x'.repeat(size)}`);
}

/** The journal's files in `dir` (the lock file left out), sorted. */
export function journalFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name !== 'LOCK').sort();
}
