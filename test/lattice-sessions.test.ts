import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configureRuntime, connect, LwwRegister, PnCounter, session } from '../src/index.ts';
import { addMany, causalReader, causalWriter, readThenWrite } from './fixtures/lattice-tasks.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));

    test('threads in several workers add to one PnCounter; every add is at the node when their results are', async () => {
      const key = `sessions.${backend}.adds`;
      await Promise.all([0, 1, 2, 3].map(() => addMany.run({ key, n: 250 })));
      const reader = await t.client();
      assert.equal(await new PnCounter({ key, client: reader }).value(), 1000);
    });

    test('read-your-writes: a thread of the session reads the spawner\'s write, and the spawner reads the thread\'s', async () => {
      const key = `sessions.${backend}.ryw`;
      const s = session({ consistency: 'read-your-writes' });
      const r = new LwwRegister<string>({ key, session: s }, 'initial');
      assert.equal(await r.get(), 'initial');
      await r.set('from main');
      const out = await readThenWrite.run({ key, next: 'from thread' }, { session: s });
      assert.deepEqual(out, { read: 'from main', level: 'read-your-writes' });
      assert.equal(await r.get(), 'from thread');
      await s.end();
    });

    test('repeatable-read: every read of a key in the session, in every function, returns the version first read', async () => {
      const key = `sessions.${backend}.rr`;
      const other = await connect({ url: t.url });
      try {
        const s = session({ consistency: 'repeatable-read' });
        const r = new LwwRegister<string>({ key, session: s }, 'v1');
        const plain = new LwwRegister<string>(key, 'v1');
        assert.equal(await r.get(), 'v1');
        assert.equal(await plain.get(), 'v1');
        const held = (await import('../src/client/default-client.ts')).defaultClient().lattices.versionOf(key);
        await new LwwRegister<string>({ key, client: other }).set('v2');
        await other.flushWrites();
        // This process's cache has the new version (pushed); the session still reads its snapshot.
        await (await import('../src/client/default-client.ts')).defaultClient().lattices.changed(key, held);
        assert.equal(await plain.get(), 'v2');
        assert.equal(await r.get(), 'v1');
        assert.deepEqual(await readThenWrite.run({ key }, { session: s }), { read: 'v1', level: 'repeatable-read' });
        // The session's own write is part of what it reads.
        await r.set('mine');
        assert.equal(await r.get(), 'mine');
        const pinned = await other.describe(key);
        assert.equal((pinned!.state as { snapshots: number }).snapshots, 1);
        await s.end();
        const released = await other.describe(key);
        assert.equal((released!.state as { snapshots: number }).snapshots, 0);
        await assert.rejects(r.get(), /ended/);
      } finally {
        await other.close();
      }
    });

    test('causal: a reader that sees b = i also sees a >= i, across processes; the checker counts only values', async () => {
      const prefix = `sessions.${backend}.causal`;
      const n = 200;
      const writer = causalWriter.spawn({ prefix, n }, { session: session({ consistency: 'causal' }) });
      const reader = causalReader.spawn({ prefix, n, rounds: 10_000 }, { session: session({ consistency: 'causal' }) });
      await writer.join();
      const seen = await reader.join();
      assert.equal(seen.anomalies, 0, JSON.stringify(seen));
      assert.equal(seen.seen, n, 'the reader saw the last write');
    });
  });
}

test('a session level that does not exist is refused', () => {
  assert.throws(() => session({ consistency: 'strong' as never }), /consistency must be one of/);
});
