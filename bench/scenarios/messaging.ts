/**
 * `messaging`: ping-pong between two cloud threads on the local backend (`send`, then `recv` of
 * the echo), node in another process, against one DSO call (`AtomicLong.get`, one outstanding)
 * made by the pinging thread on the same client, interleaved in blocks. Two placements: the two
 * threads on different worker threads (two workers), and on the same worker (one worker).
 */
import { setDefaultClient, configuredDefaultClient } from '../../src/client/default-client.ts';
import { LocalBackend } from '../../src/runtime/backends/local.ts';
import { launch } from '../../src/runtime/launch.ts';
import { benchPing, benchPong } from '../tasks/messaging.ts';
import { latency, type Latency } from '../support.ts';
import type { ScenarioResult } from '../result.ts';
import { startDsoNode } from './dso-node.ts';

const BLOCKS = 5;

interface Samples {
  trip: Latency;
  call: Latency;
}

/** `BLOCKS` blocks of `rounds` round trips (after as many to warm up) on `workers` worker threads. */
async function pingPong(workers: number, rounds: number): Promise<Samples> {
  const backend = new LocalBackend({ workers });
  const run = (name: string, arg: unknown): ReturnType<typeof launch> => launch(backend, { module: benchPing.definition.module, task: name, arg });
  try {
    const pong = run(benchPong.name, rounds * (BLOCKS + 1));
    const ping = (blocks: number): Promise<unknown> => run(benchPing.name, { to: pong.threadId, rounds, blocks, counter: 'bench-messaging' }).result;
    await ping(1);
    const { trips, calls } = (await ping(BLOCKS)) as { trips: number[]; calls: number[] };
    await pong.result;
    return { trip: latency(trips), call: latency(calls) };
  } finally {
    await backend.close();
  }
}

/** Runs the scenario with `rounds` measured round trips (and calls) per block. */
export async function messaging(rounds = 1000): Promise<ScenarioResult> {
  const node = await startDsoNode();
  const saved = process.env.SKEIN_DSO;
  process.env.SKEIN_DSO = node.url;
  setDefaultClient(undefined);
  try {
    const apart = await pingPong(2, rounds);
    const together = await pingPong(1, rounds);
    return {
      scenario: 'messaging',
      what: `ping-pong between two threads (send + recv of the echo), local backend, ${rounds * BLOCKS} round trips, node in another process`,
      skein: {
        'round trip p50_us (2 workers)': apart.trip.p50,
        'round trip p99_us (2 workers)': apart.trip.p99,
        'round trip p50_us (1 worker)': together.trip.p50,
      },
      peers: { 'AtomicLong.get from the thread': { p50_us: apart.call.p50, p99_us: apart.call.p99 } },
      ratios: {
        'round trip vs one call (2 workers)': apart.trip.p50 / apart.call.p50,
        'round trip vs one call (1 worker)': together.trip.p50 / together.call.p50,
      },
      targets: {},
      notes: [
        'a round trip is four DSO calls, two on the critical path (each side puts into the other\'s mailbox, where a take waits parked): about 2x one call is its floor',
        'on one worker both threads share the worker\'s client and connection; on two, each has its own and the two worker threads, the node and the bench share the cores',
      ],
    };
  } finally {
    await configuredDefaultClient()?.close();
    setDefaultClient(undefined);
    if (saved === undefined) delete process.env.SKEIN_DSO;
    else process.env.SKEIN_DSO = saved;
    await node.stop();
  }
}
