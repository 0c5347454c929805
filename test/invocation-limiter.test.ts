import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvocationLimiter } from '../src/runtime/backends/remote-backend.ts';

test('the invocation limiter keeps at most `limit` in flight, starts the rest in order, and survives failures', async () => {
  const limiter = new InvocationLimiter(3);
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  // Node 20 has no Promise.withResolvers.
  const gates = Array.from({ length: 10 }, () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  const runs = gates.map((gate, i) =>
    limiter.run(async () => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      await gate.promise;
      inFlight--;
      if (i % 4 === 0) throw new Error(`run ${i} fails`);
      return i;
    }),
  );
  const settled = Promise.allSettled(runs);
  // Release them one at a time, newest first: order of finishing must not matter.
  for (let i = gates.length - 1; i >= 0; i--) {
    await new Promise((resolve) => setImmediate(resolve));
    gates[i]!.resolve();
  }
  const results = await settled;
  assert.equal(most, 3);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(results.map((r) => r.status), runs.map((_, i) => (i % 4 === 0 ? 'rejected' : 'fulfilled')));
  assert.equal(limiter.active, 0);
  assert.throws(() => new InvocationLimiter(0), RangeError);
});
