/**
 * `npm run bench [-- scenario...]`: runs the scenarios, prints one table (scenario, figures,
 * ratio, target, met?) and writes bench/results/latest.json. Every ratio is measured within this
 * run; absolute times are for orientation only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { ROOT } from './support.ts';
import type { ScenarioResult } from './result.ts';
import { dsoLatency } from './scenarios/dso-latency.ts';
import { threadSpawn } from './scenarios/thread-spawn.ts';
import { dsoThroughput } from './scenarios/dso-throughput.ts';
import { dsoComplex } from './scenarios/dso-complex.ts';
import { dsoMemory } from './scenarios/dso-memory.ts';
import { barrier } from './scenarios/barrier.ts';

const scenarios: Record<string, () => Promise<ScenarioResult>> = {
  'dso-latency': () => dsoLatency(),
  'dso-throughput': () => dsoThroughput(),
  'dso-complex': () => dsoComplex(),
  'dso-memory': () => dsoMemory(),
  barrier: () => barrier(),
  'thread-spawn': () => threadSpawn(),
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!scenarios[name]) {
    console.error(`unknown scenario '${name}'; known: ${Object.keys(scenarios).join(', ')}`);
    process.exit(2);
  }
}

const results: ScenarioResult[] = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(scenarios)) {
  process.stderr.write(`running ${name}...\n`);
  results.push(await scenarios[name]!());
}

const rows: string[][] = [['scenario', 'ratio', 'value', 'target', 'met', 'figures']];
for (const r of results) {
  for (const [name, value] of Object.entries(r.ratios)) {
    const t = r.targets[name];
    const target = t ? (t.max !== undefined ? `<= ${t.max}` : `>= ${t.min}`) : '-';
    const met = !t ? '' : (t.max === undefined || value <= t.max) && (t.min === undefined || value >= t.min) ? 'yes' : 'NO';
    const figures = [
      `skein ${fmt(r.skein)}`,
      ...Object.entries(r.peers).map(([p, f]) => `${p} ${fmt(f)}`),
    ].join('; ');
    rows.push([r.scenario, name, value.toFixed(2), target, met, figures]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));

mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(
  `${ROOT}bench/results/latest.json`,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, results }, null, 2)}\n`,
);

function fmt(f: Record<string, number>): string {
  return Object.entries(f)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(1)}`)
    .join(' ');
}
