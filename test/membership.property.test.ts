import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertAgreement, SimNetwork } from './support/sim-network.ts';

const urls = Array.from({ length: 7 }, (_, i) => `skein://10.0.0.${i + 1}:7001`);

/** mulberry32: a small seeded generator, so a schedule's message delays replay exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const step = fc.record({
  kind: fc.constantFrom('join', 'crash', 'restart'),
  pick: fc.nat(),
  seedPick: fc.nat(),
  after: fc.integer({ min: 0, max: 2500 }),
});

test('random joins, crashes, restarts and message delays: once quiet, every live member holds the view of exactly the live members, and all histories agree', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 14 }), fc.integer(), fc.integer({ min: 1, max: 150 }), async (steps, seed, maxDelay) => {
      const rnd = random(seed);
      const net = new SimNetwork({ delay: () => 1 + Math.floor(rnd() * maxDelay) });
      net.start(urls[0]!, []);
      for (const s of steps) {
        await net.run(s.after);
        const up = [...net.nodes.values()].filter((n) => n.up);
        const live = net.live();
        const seeds = [live[s.seedPick % live.length]!, urls[s.seedPick % urls.length]!];
        if (s.kind === 'join') {
          const fresh = urls.filter((u) => !net.nodes.has(u));
          if (fresh.length > 0) net.start(fresh[s.pick % fresh.length]!, seeds);
        } else if (s.kind === 'crash') {
          if (live.length > 1) net.crash(up[s.pick % up.length]!.url);
        } else {
          const down = [...net.nodes.values()].filter((n) => !n.up);
          if (down.length > 0) net.start(down[s.pick % down.length]!.url, seeds);
        }
      }
      await net.run(30_000);
      assertAgreement(net);
      // No member that is up was evicted, restarted ones included (a restart before removal is a
      // remove and a fresh admission, not a takeover of the old member).
      for (const n of net.nodes.values()) if (n.up) assert.equal(n.evicted, undefined, `${n.url} evicted`);
    }),
    { numRuns: 150 },
  );
});
