import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppHangError, benchRuns, timeApp, watchdog } from '../bench/app-runs.ts';
import { CyclicBarrier } from '../src/index.ts';
import { runStuck, runStuckThenFail } from './fixtures/stuck-barrier-tasks.ts';

const QUICK = { factor: 1, floorMs: 500, capMs: 60_000 };

test('a Skein run that hangs fails with AppHangError naming the run and what the node shows, and its session is torn down', { timeout: 60_000 }, async () => {
  const err = await timeApp<number>(
    {
      app: 'stuck',
      skein: runStuck,
      twin: async () => 1,
      check: () => undefined,
      async diagnose(client) {
        const b = new CyclicBarrier({ key: 'stuck.barrier', client });
        return `barrier: ${await b.waiting()} of ${await b.parties()} waiting`;
      },
    },
    { runs: 1, hang: QUICK },
  ).then(
    () => assert.fail('a run that never ends was timed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppHangError, String(err));
  assert.match(err.message, /^stuck: skein cold warm-up run did not finish;/);
  // How far the run got before the watchdog fired depends on the machine's load: whether the
  // thread had started, and whether it had reached the barrier.
  assert.match(err.message, /threads spawned [01], done 0, failed 0; objects on the node: (stuck\.barrier|\(none\)); barrier: [01] of 2 waiting \(watchdog: 1 s\)$/);
  // The runtime was shut down (closing the node failed the parked call): a new session works.
  const times = await timeApp<number>({ app: 'quick', skein: async () => 2, twin: async () => 2, check: () => undefined }, { runs: 1, hang: QUICK });
  assert.equal(times.cold.length, 1);
});

// The runtime's shutdown waits for its threads; without the node closed first, the parked thread
// would hold it until the shutdown's own 30 s watchdog, past this test's timeout.
test('a failed thread fails the scenario at once, though another thread of the run is parked', { timeout: 20_000 }, async () => {
  await assert.rejects(
    timeApp<unknown>({ app: 'failing', skein: runStuckThenFail, twin: async () => null, check: () => undefined }, { runs: 1, hang: { ...QUICK, floorMs: 60_000 } }),
    /failed on purpose/,
  );
});

test('a wrong result fails the scenario, naming the run', async () => {
  await assert.rejects(
    timeApp<number>(
      {
        app: 'wrong',
        skein: async () => 41,
        twin: async () => 42,
        check(r, which, reference) {
          if (reference !== undefined && r !== reference) throw new Error(`${which} gave ${r}, the twin ${reference}`);
        },
      },
      { runs: 1, hang: QUICK },
    ),
    /^Error: skein cold warm-up run gave 41, the twin 42$/,
  );
});

test('runs alternate: every recorded round times one twin run, one cold and one warm Skein run', async () => {
  const order: string[] = [];
  let inSession = 0;
  const times = await timeApp<number>(
    {
      app: 'order',
      skein: async () => {
        order.push(inSession++ % 2 === 0 ? 'cold' : 'warm');
        return 1;
      },
      twin: async () => {
        order.push('twin');
        return 1;
      },
      check: () => undefined,
    },
    { runs: 3, hang: QUICK },
  );
  assert.deepEqual(order, ['twin', 'cold', 'warm', 'twin', 'cold', 'warm', 'cold', 'warm', 'twin', 'twin', 'cold', 'warm']);
  assert.deepEqual([times.cold.length, times.warm.length, times.twin.length], [3, 3, 3]);
});

test('watchdog rejects once its time passes and passes a result through before', async () => {
  assert.equal(await watchdog(Promise.resolve(7), 1000, () => 'never'), 7);
  await assert.rejects(watchdog(new Promise(() => undefined), 10, () => 'x: run 2 did not finish'), {
    name: 'AppHangError',
    message: 'x: run 2 did not finish (watchdog: 0 s)',
  });
});

test('BENCH_RUNS sets the recorded rounds and must be a positive integer', () => {
  const saved = process.env.BENCH_RUNS;
  try {
    delete process.env.BENCH_RUNS;
    assert.equal(benchRuns(), 5);
    process.env.BENCH_RUNS = '3';
    assert.equal(benchRuns(), 3);
    process.env.BENCH_RUNS = '0';
    assert.throws(() => benchRuns(), RangeError);
    process.env.BENCH_RUNS = 'x';
    assert.throws(() => benchRuns(), RangeError);
  } finally {
    if (saved === undefined) delete process.env.BENCH_RUNS;
    else process.env.BENCH_RUNS = saved;
  }
});
