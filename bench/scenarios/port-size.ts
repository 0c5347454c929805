/**
 * `port-size` (reported, not targeted): how much of each worker_threads twin (bench/twins/X.ts)
 * changes in its Skein port (examples/X.ts). Both files are reduced to their code lines (comments
 * and blank lines removed, with TypeScript's scanner, so doc comments that only say which
 * program is which do not count), then diffed with `git diff --no-index --numstat`. A rewritten
 * line is one deletion plus one addition; the changed lines are max(added, deleted), so a
 * rewritten line counts once, and the figure is changed lines over the twin's code lines.
 * Shared modules (examples/lib/*) are the same for both programs and not counted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { ROOT } from '../support.ts';
import type { ScenarioResult } from '../result.ts';

/** The apps with a twin. */
export const APPS = ['montecarlo', 'mandelbrot', 'kmeans', 'logreg', 'santa', 'random-forest'] as const;

/** `source` without comments, blank lines or trailing spaces: one code line per line. */
export function codeLines(source: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, source);
  let out = '';
  // Braces open since each template literal's `${`: a `}` that closes one resumes the template.
  const braces: boolean[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.OpenBraceToken) braces.push(false);
    else if (kind === ts.SyntaxKind.TemplateHead) braces.push(true);
    else if (kind === ts.SyntaxKind.CloseBraceToken && braces.pop()) {
      if (scanner.reScanTemplateToken(false) === ts.SyntaxKind.TemplateMiddle) braces.push(true);
    }
    const text = scanner.getTokenText();
    // A comment leaves its line breaks, so code keeps the lines it had.
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) out += text.replace(/[^\n]/g, '');
    else out += text;
  }
  return out
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
}

/** Lines added and deleted from `before` to `after`, by `git diff --no-index --numstat`. */
export async function diffStat(before: string[], after: string[]): Promise<{ added: number; deleted: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skein-port-size-'));
  try {
    const [a, b] = [path.join(dir, 'twin.ts'), path.join(dir, 'skein.ts')];
    writeFileSync(a, `${before.join('\n')}\n`);
    writeFileSync(b, `${after.join('\n')}\n`);
    // git diff exits 1 when the files differ.
    const out = await promisify(execFile)('git', ['diff', '--no-index', '--numstat', a, b]).then(
      (r) => r.stdout,
      (err: { code?: number; stdout?: string }) => {
        if (err.code === 1 && err.stdout !== undefined) return err.stdout;
        throw err;
      },
    );
    const [added = 0, deleted = 0] = out.trim() === '' ? [] : out.trim().split(/\s+/).slice(0, 2).map(Number);
    return { added, deleted };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the report over {@link APPS}. */
export async function portSize(): Promise<ScenarioResult> {
  const skein: Record<string, number> = {};
  const ratios: Record<string, number> = {};
  let twinTotal = 0;
  let changedTotal = 0;
  for (const app of APPS) {
    const twin = codeLines(readFileSync(`${ROOT}bench/twins/${app}.ts`, 'utf8'));
    const port = codeLines(readFileSync(`${ROOT}examples/${app}.ts`, 'utf8'));
    const { added, deleted } = await diffStat(twin, port);
    const changed = Math.max(added, deleted);
    Object.assign(skein, { [`${app}_added`]: added, [`${app}_deleted`]: deleted, [`${app}_twin_lines`]: twin.length });
    ratios[`${app} % changed`] = (100 * changed) / twin.length;
    twinTotal += twin.length;
    changedTotal += changed;
  }
  ratios['all apps % changed'] = (100 * changedTotal) / twinTotal;
  return {
    scenario: 'port-size',
    what: 'code lines changed from each worker_threads twin to its Skein port (max(added, deleted) / twin code lines, in %)',
    skein: { ...skein, changed_lines: changedTotal, twin_lines: twinTotal },
    peers: {},
    ratios,
    targets: {},
  };
}
