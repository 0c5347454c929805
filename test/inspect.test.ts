import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AtomicLong, AtomicReference, CyclicBarrier, PnCounter, ProtocolError, session, sharedClass, type SharedObject } from '../src/index.ts';
import { Op } from '../src/protocol/messages.ts';
import { INSPECT_ITEMS } from '../src/server/inspectable.ts';
import { RawPeer, runSkein, stopSkeins, testNode, type TestNode } from './support/node.ts';
import { pollUntil } from './support/poll.ts';
import type { Client } from '../src/client/client.ts';

/** A user object with the shapes inspect must make plain. */
const Odd = sharedClass(
  'inspect.Odd',
  class {
    readonly tags = new Set(['a', 'b']);
    readonly index = new Map<string, number>([['x', 1]]);
    readonly samples = Float64Array.from({ length: INSPECT_ITEMS + 10 }, (_, i) => i / 2);
    readonly nested: { self?: unknown; n: number } = { n: 1 };
    _hidden = 'node-side fields show too';
    constructor() {
      this.nested.self = this.nested;
    }
    poke(): number {
      return this.nested.n;
    }
  },
);

let t: TestNode;
let client: Client;
before(async () => {
  t = await testNode({ objects: [Odd] });
  client = await t.client();
});
after(async () => {
  await stopSkeins();
  await t.close();
});

test('info answers the members, sessions, objects per type and parked calls', async () => {
  await new AtomicLong({ key: 'i-long', client }, 41).incrementAndGet();
  await new AtomicLong({ key: 'i-long2', client }).get();
  const barrier = new CyclicBarrier({ key: 'i-gate', client }, 2);
  const waiting = barrier.await();
  assert.equal(await barrier.waiting(), 1);
  const info = await client.info();
  assert.deepEqual(info.members, [{ url: t.url, self: true }]);
  assert.equal(info.url, t.url);
  assert.equal(info.protocol, 1);
  assert.ok(info.sessions >= 1);
  assert.equal(info.byType.AtomicLong, 2);
  assert.equal(info.byType.CyclicBarrier, 1);
  assert.equal(info.objects, Object.values(info.byType).reduce((a, b) => a + b, 0));
  assert.equal(info.parkedCalls, 1);
  assert.equal(info.cacheSubscriptions, 0, 'a call parked on a barrier is no cache subscription');
  assert.deepEqual(info.latticeTypes, []);
  await barrier.await();
  await waiting;
  assert.equal((await client.info()).parkedCalls, 0);
});

test('describe answers an object as plain data: fields, class names, handles, parked calls', async () => {
  const long = await client.describe('i-long');
  assert.deepEqual(long, { key: 'i-long', type: 'AtomicLong', lattice: false, state: { '@class': 'AtomicLongState', value: 42 }, parkedCalls: 0 });
  const ref = new AtomicReference<SharedObject>({ key: 'i-ref', client });
  await ref.set(new AtomicLong({ key: 'i-long', client }));
  const described = await client.describe('i-ref');
  const value = (described!.state as { value: SharedObject }).value;
  assert.equal(value.key, 'i-long', 'a handle stays a handle');
});

test('describe makes Sets, Maps, long typed arrays and cycles plain, and reads without changing the object', async () => {
  const odd = new Odd({ key: 'i-odd', client });
  assert.equal(await odd.poke(), 1);
  const { state } = (await client.describe('i-odd'))!;
  const s = state as Record<string, unknown>;
  assert.deepEqual(s.tags, ['Set(2)', 'a', 'b']);
  assert.deepEqual(s.index, { '@class': 'Map(1)', x: 1 });
  const samples = s.samples as unknown[];
  assert.equal(samples[0], `Float64Array(${INSPECT_ITEMS + 10})`);
  assert.equal(samples.length, 1 + INSPECT_ITEMS + 1);
  assert.equal(samples.at(-1), '… 10 more');
  assert.deepEqual(s.nested, { n: 1, self: '[Circular]' });
  assert.equal(s._hidden, 'node-side fields show too');
  assert.equal(await odd.poke(), 1);
});

test('describe of a missing key answers null; a non-string key is a ProtocolError and the connection goes on', async () => {
  assert.equal(await client.describe('i-none'), null);
  const peer = await RawPeer.handshake(t.url);
  try {
    peer.send([[Op.Describe, 1, 42], [Op.Info, 2]]);
    const seen: unknown[][] = [];
    const bad = await peer.replyTo(1, seen);
    assert.equal(bad[1], 1);
    assert.equal((bad[2] as string[])[0], new ProtocolError('x').code);
    const ok = seen.find((r) => r[0] === 2) ?? (await peer.replyTo(2));
    assert.equal(ok[1], 0);
    assert.equal((ok[2] as { url: string }).url, t.url);
  } finally {
    peer.close();
  }
});

test('skein inspect prints the members and objects per type, and one object with its state', async () => {
  const allOut = await runSkein(['inspect', '--dso', t.url]);
  assert.equal(allOut.code, 0, allOut.stderr);
  assert.match(allOut.stdout, new RegExp(`members \\(1, epoch 1, rf 1\\):\\n  ${t.url.replace(/[.:/]/g, '\\$&')}`));
  assert.match(allOut.stdout, /AtomicLong: 2/);

  const oneOut = await runSkein(['inspect', 'i-long'], { SKEIN_DSO: t.url });
  assert.equal(oneOut.code, 0, oneOut.stderr);
  assert.match(oneOut.stdout, /^i-long: AtomicLong, 0 parked call\(s\)\n/);
  assert.match(oneOut.stdout, /value: 42/);

  const jsonOut = await runSkein(['inspect', 'i-long', '--json', '--dso', t.url]);
  assert.equal(jsonOut.code, 0, jsonOut.stderr);
  assert.deepEqual(JSON.parse(jsonOut.stdout).state, { '@class': 'AtomicLongState', value: 42 });
});

test('a lattice key: describe and skein inspect show its value, version, snapshots and caches subscribed, until a client closes', async () => {
  const a = await t.client();
  const b = await t.client();
  await new PnCounter({ key: 'i-count', client: a }).add(3);
  await a.flushWrites();
  const rr = session({ consistency: 'repeatable-read' });
  assert.equal(await new PnCounter({ key: 'i-count', client: b }).value(), 3);
  assert.equal(await new PnCounter({ key: 'i-count', client: b, session: rr }).value(), 3);
  // Each client's cache keeps the key subscribed by a parked watch, armed once its read was answered.
  const info = await pollUntil(() => client.info(), (i) => i.cacheSubscriptions === 2);
  assert.equal(info.cacheSubscriptions, 2);
  assert.equal(info.parkedCalls, 2);
  assert.equal(info.byType.PnCounter, 1);
  assert.deepEqual(info.latticeTypes, ['PnCounter']);
  assert.deepEqual(await client.describe('i-count'), {
    key: 'i-count',
    type: 'PnCounter',
    lattice: true,
    state: { value: { value: 3, writers: 1 }, version: 1, snapshots: 1, deps: 0 },
    parkedCalls: 2,
  });

  const one = await runSkein(['inspect', 'i-count', '--dso', t.url]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(
    one.stdout,
    [
      'i-count: PnCounter (lattice)',
      '  value: { value: 3, writers: 1 }',
      '  version: 1',
      '  snapshots pinned: 1 (repeatable-read sessions)',
      '  deps: 0',
      '  caches subscribed: 2',
      '',
    ].join('\n'),
  );
  const all = await runSkein(['inspect', '--dso', t.url]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /, 2 parked call\(s\), 2 cache subscription\(s\)\n/);
  assert.match(all.stdout, /\n  PnCounter: 1 \(lattice\)\n/);
  assert.match(all.stdout, /\n  AtomicLong: \d+\n/, 'a linearizable type is not marked');

  // A client that closes ends its session: the node withdraws its parked watch.
  await rr.end();
  await b.close();
  const after = await pollUntil(() => client.info(), (i) => i.cacheSubscriptions === 1);
  assert.equal(after.cacheSubscriptions, 1);
  const described = await client.describe('i-count');
  assert.equal(described!.parkedCalls, 1);
  assert.deepEqual(described!.state, { value: { value: 3, writers: 1 }, version: 1, snapshots: 0, deps: 0 });
  await a.close();
  assert.equal((await pollUntil(() => client.info(), (i) => i.cacheSubscriptions === 0)).cacheSubscriptions, 0);
});

test('skein inspect --keys lists the keys, all or those under a prefix, as lines or JSON', async () => {
  await Promise.all(['keys/b', 'keys/a', 'keys/c/1', 'other-key'].map((key) => new AtomicLong({ key, client }).get()));
  const under = await runSkein(['inspect', '--keys', 'keys/', '--dso', t.url]);
  assert.equal(under.code, 0, under.stderr);
  assert.equal(under.stdout, 'keys/a\nkeys/b\nkeys/c/1\n');
  const all = await runSkein(['inspect', '--keys', '--json'], { SKEIN_DSO: t.url });
  assert.equal(all.code, 0, all.stderr);
  const keys = JSON.parse(all.stdout) as string[];
  assert.deepEqual(keys, [...keys].sort());
  assert.ok(['keys/a', 'keys/b', 'keys/c/1', 'other-key', 'i-long'].every((k) => keys.includes(k)), all.stdout);
  const none = await runSkein(['inspect', '--keys', 'no-such-prefix/', '--dso', t.url]);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, '');
});

test('skein inspect: a missing key exits 1, no DSO is a usage error (exit 2), an unreachable DSO exits 1 naming it', async () => {
  const missingOut = await runSkein(['inspect', 'i-none', '--dso', t.url]);
  assert.equal(missingOut.code, 1);
  assert.match(missingOut.stderr, /no object at key 'i-none'/);

  const noDsoOut = await runSkein(['inspect'], { SKEIN_DSO: undefined });
  assert.equal(noDsoOut.code, 2);
  assert.match(noDsoOut.stderr, /give --dso URL or set SKEIN_DSO/);

  const downOut = await runSkein(['inspect', '--dso', 'skein://127.0.0.1:1']);
  assert.equal(downOut.code, 1);
  assert.equal(downOut.stderr, 'skein inspect: connection to skein://127.0.0.1:1 failed: connect ECONNREFUSED 127.0.0.1:1\n', 'one line, no stack');
});
