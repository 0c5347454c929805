/**
 * A client process of a fault run: one Client, one call at a time, a seeded random mix of
 * `incrementAndGet`/`get` on counters, unique-valued `set`/`get` on registers and
 * `merge(field, 1, 'sum')`/`get` on map fields, every call recorded as it ends (history.ts).
 *
 * Bounded in count (`--max-ops`) and time (`--seconds`); a call still unanswered `--grace-ms`
 * after the time is up is recorded in doubt and the process ends anyway. `--rate` paces the
 * calls (per second) so the load spans the whole run instead of racing through its count.
 * Prints `ready` once its first call ended, and `done {json}` with its counts at the end.
 *
 * Usage: tsx test/faults/driver.ts --url skein://h:p[,skein://h:p2] --client ID --out FILE
 *          --prefix P --seed N [--seconds S] [--max-ops N] [--rate R] [--retry-window-ms MS] [--grace-ms MS]
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { AtomicLong, AtomicReference, Client, SharedMap } from '../../src/index.ts';
import { random } from '../support/random-ops.ts';
import { HistoryWriter, now, type ObjectKind, type OpName } from './history.ts';
import { recordCall } from './recorder.ts';
import { workload } from './workload.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    client: { type: 'string' },
    out: { type: 'string' },
    prefix: { type: 'string' },
    seed: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '5' },
    'max-ops': { type: 'string', default: '100000' },
    rate: { type: 'string', default: '200' },
    'retry-window-ms': { type: 'string', default: '10000' },
    'grace-ms': { type: 'string', default: '15000' },
  },
  strict: true,
});
if (!values.url || !values.client || !values.out || !values.prefix) throw new Error('driver needs --url, --client, --out and --prefix');
const id = values.client;
const seconds = Number(values.seconds);
const maxOps = Number(values['max-ops']);
const rate = Number(values.rate);
const graceMs = Number(values['grace-ms']);

const client = new Client({ url: values.url, retryWindowMs: Number(values['retry-window-ms']) });
const history = new HistoryWriter(values.out);
const next = random(Number(values.seed));
const keys = workload(values.prefix);
const counters = keys.counters.map((key) => new AtomicLong({ key, client }));
const registers = keys.registers.map((key) => new AtomicReference<string>({ key, client }));
const maps = keys.maps.map((key) => new SharedMap<string, number>({ key, client }));

/** Index 0 half the time, else any: object 0 of each kind is hot. */
function pick<T>(xs: readonly T[]): T {
  return next() < 0.5 ? xs[0]! : xs[Math.floor(next() * xs.length)]!;
}

/** One call, as what it is and how to make it. */
interface Planned {
  object: ObjectKind;
  key: string;
  f: OpName;
  field?: string;
  arg?: unknown;
  run(): Promise<unknown>;
}

function plan(seq: number): Planned {
  const kind = next();
  const write = next() < 0.6;
  if (kind < 1 / 3) {
    const c = pick(counters);
    return write ? { object: 'AtomicLong', key: c.key, f: 'incrementAndGet', run: () => c.incrementAndGet() } : { object: 'AtomicLong', key: c.key, f: 'get', run: () => c.get() };
  }
  if (kind < 2 / 3) {
    const r = pick(registers);
    // Unique across the run: the register check relies on it.
    const value = `${id}:${seq}`;
    return write
      ? { object: 'AtomicReference', key: r.key, f: 'set', arg: value, run: () => r.set(value).then(() => null) }
      : { object: 'AtomicReference', key: r.key, f: 'get', run: () => r.get() };
  }
  const m = pick(maps);
  const field = keys.fields[Math.floor(next() * keys.fields.length)]!;
  return write
    ? { object: 'SharedMap', key: m.key, field, f: 'merge', run: () => m.merge(field, 1, 'sum') }
    : { object: 'SharedMap', key: m.key, field, f: 'get', run: () => m.get(field) };
}

const start = now();
const deadline = start + seconds * 1000;
const counts = { ok: 0, failed: 0, unknown: 0 };
let hung = false;
for (let seq = 0; seq < maxOps && now() < deadline && !hung; seq++) {
  const due = start + (seq * 1000) / rate;
  if (due > now()) await delay(due - now());
  const { run, ...what } = plan(seq);
  const record = await recordCall(history, { client: id, ...what }, run, deadline + graceMs);
  hung = record.outcome === 'unknown' && now() >= deadline + graceMs;
  counts[record.outcome]++;
  if (seq === 0) process.stdout.write('ready\n');
}
history.close();
process.stdout.write(`done ${JSON.stringify({ ...counts, hung })}\n`);
await client.close();
// A call left hung keeps sockets open; the history is complete, so end now.
process.exit(0);
