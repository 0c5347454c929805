/**
 * `npm run bench [-- scenario...]`: runs the scenarios, prints one table (scenario, figures,
 * ratio, target, met?) and writes bench/results/latest.json. Every ratio is measured within this
 * run; absolute times are for orientation only. `SKEIN_BENCH_METRICS=1` starts the DSO nodes with
 * `--metrics-port 0`, to measure what serving Prometheus metrics costs.
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
import { clusterThroughput } from './scenarios/cluster-throughput.ts';
import { barrier } from './scenarios/barrier.ts';
import { montecarlo } from './scenarios/montecarlo.ts';
import { kmeans } from './scenarios/kmeans.ts';
import { logreg } from './scenarios/logreg.ts';
import { santa } from './scenarios/santa.ts';
import { mandelbrot } from './scenarios/mandelbrot.ts';
import { portSize } from './scenarios/port-size.ts';
import { randomForest } from './scenarios/random-forest.ts';
import { callSites } from './scenarios/call-sites.ts';
import { latticeRead } from './scenarios/lattice-read.ts';
import { latticeWrite } from './scenarios/lattice-write.ts';
import { consistencyCost } from './scenarios/consistency-cost.ts';
import { retwis } from './scenarios/retwis.ts';
import { dagChain } from './scenarios/dag-chain.ts';
import { dagFanout } from './scenarios/dag-fanout.ts';
import { messaging } from './scenarios/messaging.ts';
import { predictionServing } from './scenarios/prediction-serving.ts';

const scenarios: Record<string, () => Promise<ScenarioResult>> = {
  'dso-latency': () => dsoLatency(),
  'dso-throughput': () => dsoThroughput(),
  'dso-complex': () => dsoComplex(),
  'dso-memory': () => dsoMemory(),
  'cluster-throughput': () => clusterThroughput(),
  barrier: () => barrier(),
  'thread-spawn': () => threadSpawn(),
  montecarlo: () => montecarlo(),
  kmeans: () => kmeans(),
  logreg: () => logreg(),
  santa: () => santa(),
  mandelbrot: () => mandelbrot(),
  'random-forest': () => randomForest(),
  'port-size': () => portSize(),
  'call-sites': () => callSites(),
  'lattice-read': () => latticeRead(),
  'lattice-write': () => latticeWrite(),
  'consistency-cost': () => consistencyCost(),
  retwis: () => retwis(),
  'dag-chain': () => dagChain(),
  'dag-fanout': () => dagFanout(),
  messaging: () => messaging(),
  'prediction-serving': () => predictionServing(),
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!scenarios[name]) {
    console.error(`unknown scenario '${name}'; known: ${Object.keys(scenarios).join(', ')}`);
    process.exit(2);
  }
}

const results: ScenarioResult[] = [];
// A scenario that fails (a wrong result, a run past its watchdog) is reported and the others go on.
const failures: Array<{ scenario: string; error: string }> = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(scenarios)) {
  process.stderr.write(`running ${name}...\n`);
  try {
    results.push(await scenarios[name]!());
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    process.stderr.write(`scenario ${name} FAILED: ${error}\n`);
    failures.push({ scenario: name, error });
  }
}

const rows: string[][] = [['scenario', 'ratio', 'value', 'target', 'met', 'figures']];
for (const r of results) {
  let first = true;
  for (const [name, value] of Object.entries(r.ratios)) {
    const t = r.targets[name];
    const target = t ? (t.max !== undefined ? `<= ${t.max}` : `>= ${t.min}`) : '-';
    const met = !t ? '' : (t.max === undefined || value <= t.max) && (t.min === undefined || value >= t.min) ? 'yes' : 'NO';
    const figures = [
      `skein ${fmt(r.skein)}`,
      ...Object.entries(r.peers).map(([p, f]) => `${p} ${fmt(f)}`),
    ].join('; ');
    // A scenario's figures are printed once, on its first row.
    rows.push([r.scenario, name, value.toFixed(2), target, met, first ? figures : '']);
    first = false;
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
for (const r of results) for (const note of r.notes ?? []) console.log(`${r.scenario}: ${note}`);

mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(
  `${ROOT}bench/results/latest.json`,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, results, failures }, null, 2)}\n`,
);
for (const f of failures) console.log(`FAILED ${f.scenario}: ${f.error}`);
// Exit now: a hung run's threads (stopped by a watchdog, never joined) must not keep the bench alive.
process.exit(failures.length > 0 ? 1 : 0);

function fmt(f: Record<string, number>): string {
  return Object.entries(f)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(Math.abs(v) < 10 ? 2 : 1)}`)
    .join(' ');
}
