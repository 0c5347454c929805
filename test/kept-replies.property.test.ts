import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { KeptReplies } from '../src/server/kept-replies.ts';

test('kept replies: every reply kept and not acknowledged is found while the live ids span fewer than the bound', () => {
  fc.assert(
    fc.property(
      // Calls in id order; each is acknowledged after a random delay (or never, within the run).
      fc.array(fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }), { minLength: 1, maxLength: 2000 }),
      fc.constantFrom(64, 256, 1024),
      (ackAfter, max) => {
        const ring = new KeptReplies<{ id: number }>(max);
        const live = new Map<number, { id: number }>();
        const due = new Map<number, number[]>();
        ackAfter.forEach((delay, i) => {
          const id = i + 1;
          const item = { id };
          ring.set(item);
          live.set(id, item);
          if (delay !== undefined) due.set(id + delay, [...(due.get(id + delay) ?? []), id]);
          for (const acked of due.get(id) ?? []) {
            ring.delete(acked);
            live.delete(acked);
          }
          const oldest = Math.min(...live.keys());
          if (id - oldest < max) {
            for (const [k, v] of live) assert.equal(ring.get(k), v, `id ${k} kept`);
            assert.equal(ring.size, live.size);
          }
          // Whatever it holds is what was kept under that id, never another reply.
          for (const kept of ring.values()) assert.equal(live.get(kept.id), kept);
        });
      },
    ),
    { numRuns: 200 },
  );
});

test('kept replies: past the bound the oldest are pushed out, and what remains is right', () => {
  const ring = new KeptReplies<{ id: number }>(64);
  for (let id = 1; id <= 1000; id++) ring.set({ id });
  assert.equal(ring.size, 64);
  for (let id = 937; id <= 1000; id++) assert.equal(ring.get(id)?.id, id);
  assert.equal(ring.get(936), undefined);
  ring.delete(1000);
  assert.equal(ring.get(1000), undefined);
  assert.equal(ring.size, 63);
});
