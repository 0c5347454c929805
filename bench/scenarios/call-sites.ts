/**
 * `call-sites`: what it costs to show the caller's frames in a failed call's stack.
 * AtomicLong.incrementAndGet, node in another process, three ways: a client as by default
 * (`callSites` off), a client with `callSites` on (an async wrapper per call that takes V8's async
 * stack only when the call fails), and an eager capture (`new Error()` at every call, kept for a
 * failure), which Skein does not do: this is its price. One call outstanding (latency) and 64
 * (throughput, with this process's CPU time per call). Rounds alternate; medians are reported.
 */
import { AtomicLong, connect } from '../../src/index.ts';
import type { Client } from '../../src/client/client.ts';
import { median, windowed } from '../load.ts';
import { latency, timeSequential } from '../support.ts';
import type { ScenarioResult } from '../result.ts';
import { startDsoNode } from './dso-node.ts';

const ROUNDS = 7;
const WINDOW = 64;

/** Runs the scenario with `calls` sequential and `8 * calls` windowed calls per way and round. */
export async function callSites(calls = 4000): Promise<ScenarioResult> {
  const node = await startDsoNode();
  const clients: Client[] = [];
  try {
    const off = await connect({ url: node.url, callSites: false });
    const on = await connect({ url: node.url, callSites: true });
    clients.push(off, on);
    const counterOff = new AtomicLong({ key: 'bench-call-sites', client: off });
    const counterOn = new AtomicLong({ key: 'bench-call-sites', client: on });
    const ways: Record<string, () => Promise<unknown>> = {
      off: () => counterOff.incrementAndGet(),
      on: () => counterOn.incrementAndGet(),
      eager: () => {
        const site = new Error();
        return counterOff.incrementAndGet().then(undefined, (err: Error) => {
          err.stack = site.stack;
          throw err;
        });
      },
    };
    const figures: Record<string, { p50: number[]; ops: number[]; cpu: number[] }> = {};
    for (const [name, op] of Object.entries(ways)) {
      figures[name] = { p50: [], ops: [], cpu: [] };
      await timeSequential(calls / 2, op);
      await windowed(calls * 2, WINDOW, op);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, op] of Object.entries(ways)) {
        const f = figures[name]!;
        f.p50.push(latency(await timeSequential(calls, op)).p50);
        const before = process.cpuUsage();
        f.ops.push(await windowed(calls * 8, WINDOW, op));
        const cpu = process.cpuUsage(before);
        f.cpu.push((cpu.user + cpu.system) / (calls * 8));
      }
    }
    const m = (name: string): Record<string, number> => {
      const f = figures[name]!;
      return { p50_us: median(f.p50), 'ops/s': median(f.ops), 'cpu_us/call': median(f.cpu) };
    };
    const [byDefault, withSites, eager] = [m('off'), m('on'), m('eager')];
    return {
      scenario: 'call-sites',
      what: 'incrementAndGet: callSites off (default) vs on vs an eager new Error() per call',
      skein: byDefault,
      peers: { 'callSites on': withSites, 'eager capture': eager },
      ratios: {
        'on cpu/call vs off': withSites['cpu_us/call']! / byDefault['cpu_us/call']!,
        'on ops/s vs off': withSites['ops/s']! / byDefault['ops/s']!,
        'on p50 vs off': withSites.p50_us! / byDefault.p50_us!,
        'eager cpu/call vs off': eager['cpu_us/call']! / byDefault['cpu_us/call']!,
        'eager ops/s vs off': eager['ops/s']! / byDefault['ops/s']!,
        'eager p50 vs off': eager.p50_us! / byDefault.p50_us!,
      },
      targets: {},
      notes: ['callSites is opt-in (SKEIN_CALL_SITES=1) because "on" costs more than a few percent of throughput; eager capture is not offered'],
    };
  } finally {
    for (const c of clients) await c.close();
    await node.stop();
  }
}
