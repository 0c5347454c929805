import { AtomicLong, recv, send, task } from '../../src/index.ts';
import { timeSequential } from '../support.ts';

/** The echoing side of the messaging scenario: answers `rounds` messages to their senders. */
export const benchPong = task('bench.pong', async (rounds: number) => {
  for (let i = 0; i < rounds; i++) {
    const m = await recv();
    await send(m.from, m.value);
  }
  return rounds;
});

/**
 * The timing side: in blocks, `rounds` round trips to `to` (send, then recv of the echo) and as
 * many `AtomicLong.get` calls, one outstanding, on this thread's own client; nanoseconds each.
 */
export const benchPing = task('bench.ping', async ({ to, rounds, blocks, counter }: { to: string; rounds: number; blocks: number; counter: string }) => {
  const long = new AtomicLong(counter);
  const trips: number[] = [];
  const calls: number[] = [];
  const trip = async (): Promise<void> => {
    await send(to, 1);
    await recv({ from: to });
  };
  for (let b = 0; b < blocks; b++) {
    calls.push(...(await timeSequential(rounds, () => long.get())));
    trips.push(...(await timeSequential(rounds, trip)));
  }
  return { trips, calls };
});
