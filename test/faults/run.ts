/**
 * `npm run faults`: each fault of issue 12 run for longer than `npm test` does, a table of what
 * happened, and exit code 1 if any run found a violation (2 if a run could not be made at all).
 *
 * Usage: npm run faults -- [--fault NAME]... [--runs N] [--seconds S] [--clients N] [--rate R]
 *          [--keep]
 *   --fault       one of kill, cpu-hog, pause, restart, double-kill, partition (default: all)
 *   --runs        runs of each fault (default 1, at most 20)
 *   --seconds     load per run (default 30, at most 300); the faults last as issue 12 says
 *                 (pause 4 s, cut-off 5 s, hogs 15 s), shortened to fit a shorter load
 *   --clients     driver processes (default 5), --rate calls per second each (default 200)
 *   --keep        keep the histories (and each member's log, seat-N.log) and print where they are
 */
import { parseArgs } from 'node:util';
import { FAULTS, type FaultName } from './injectors.ts';
import { runFault, type FaultRun } from './run-fault.ts';

/** How long each fault lasts at full length (issue 12's trial). */
const FULL_FAULT_MS: Record<FaultName, number> = { kill: 0, 'cpu-hog': 15_000, pause: 4_000, restart: 5_000, 'double-kill': 0, partition: 5_000 };

const { values } = parseArgs({
  options: {
    fault: { type: 'string', multiple: true },
    runs: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '5' },
    rate: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
  },
  strict: true,
});

function bounded(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}, got '${raw}'`);
  return n;
}

const faults = (values.fault ?? [...FAULTS]) as FaultName[];
for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`unknown fault '${f}' (known: ${FAULTS.join(', ')})`);
const runs = bounded('runs', values.runs, 1, 20);
const loadMs = bounded('seconds', values.seconds, 3, 300) * 1000;
const clients = bounded('clients', values.clients, 1, 20);
const rate = bounded('rate', values.rate, 1, 5000);

interface Row {
  fault: FaultName;
  runs: number;
  acknowledged: number;
  failed: number;
  inDoubt: number;
  violations: number;
  longestMs: number;
  errors: string[];
  found: FaultRun[];
}

const rows: Row[] = [];
for (const fault of faults) {
  const row: Row = { fault, runs: 0, acknowledged: 0, failed: 0, inDoubt: 0, violations: 0, longestMs: 0, errors: [], found: [] };
  rows.push(row);
  for (let i = 0; i < runs; i++) {
    const faultMs = Math.min(FULL_FAULT_MS[fault], Math.round(loadMs / 2));
    process.stderr.write(`${fault} run ${i + 1}/${runs} (${loadMs / 1000} s of load, fault ${faultMs} ms)...\n`);
    try {
      const run = await runFault({ fault, loadMs, faultMs, clients, rate, seed: i + 1, keepHistory: values.keep });
      row.runs++;
      row.acknowledged += run.report.acknowledged;
      row.failed += run.report.failed;
      row.inDoubt += run.report.inDoubt;
      row.violations += run.report.violations.length;
      row.longestMs = Math.max(row.longestMs, run.report.longestUnavailableMs);
      if (run.report.violations.length > 0 || run.notes.length > 0) row.found.push(run);
    } catch (err) {
      row.errors.push((err as Error).message);
      process.stderr.write(`  could not run: ${(err as Error).message}\n`);
    }
  }
}

const header = ['fault', 'runs', 'acknowledged', 'failed', 'in doubt', 'violations', 'longest unavailability (ms)'];
const table = rows.map((r) => [r.fault, `${r.runs}${r.errors.length ? ` (+${r.errors.length} not run)` : ''}`, r.acknowledged, r.failed, r.inDoubt, r.violations, Math.round(r.longestMs)].map(String));
const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c]!.length)));
const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
process.stdout.write(`\ncluster on etcd: 3 members, rf 2; ${clients} clients at ${rate} calls/s for ${loadMs / 1000} s per run\n\n`);
process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${table.map(line).join('\n')}\n`);

for (const row of rows) {
  for (const run of row.found) {
    const byKind = new Map<string, number>();
    for (const v of run.report.violations) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
    process.stdout.write(`\n${row.fault}: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ') || 'no violations'}${run.historyDir ? ` (history in ${run.historyDir})` : ''}\n`);
    for (const note of run.notes) process.stdout.write(`  note: ${note}\n`);
    const firsts = [...new Set(run.report.violations.map((v) => v.kind))].map((k) => run.report.violations.find((v) => v.kind === k)!);
    for (const v of firsts) process.stdout.write(`  e.g. ${v.kind} on ${v.object}: ${v.message}\n`);
  }
}
process.exitCode = rows.some((r) => r.errors.length > 0) ? 2 : rows.some((r) => r.violations > 0) ? 1 : 0;
