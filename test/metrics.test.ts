import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { AtomicLong, CyclicBarrier, ListenError, MaxRegister, SharedMap } from '../src/index.ts';
import { Op } from '../src/protocol/messages.ts';
import { startNode } from '../src/server.ts';
import { clusterClient, clusterEtcd, killMembers, startMember, startMemberLike, waitForMembers, waitForStable } from './support/cluster.ts';
import { freePort, RawPeer, runSkein, stopSkeins, testNode } from './support/node.ts';
import { pollUntil } from './support/poll.ts';

after(async () => {
  await stopSkeins();
  await killMembers();
});

/** `/metrics` as a map from `name{labels}` (labels as Prometheus prints them) to the value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

test('/metrics counts the calls made by type and method, and tells objects, sessions, the view and traffic', async (t) => {
  const node = await testNode({ metricsPort: 0 }, t.signal);
  t.after(() => node.close());
  assert.match(node.node.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const before = await scrape(node.node.metricsUrl!);
  assert.equal(before.get('skein_calls_total'), undefined, 'no call yet, no series');

  const client = await node.client();
  const counter = new AtomicLong({ key: 'm:counter', client });
  for (let i = 0; i < 7; i++) await counter.incrementAndGet();
  await counter.get();
  await counter.get();
  const map = new SharedMap<string, number>({ key: 'm:map', client });
  await map.set('a', 1);
  await map.set('b', 2);
  await map.set('c', 3);
  await assert.rejects(map.merge('a', 1, 'no-such-reducer'));
  // Names the node does not serve are counted under one label, whatever they are.
  const peer = await RawPeer.handshake(node.url);
  peer.send([[Op.Call, 1, 'NoSuchType', 'k', 'x', []], [Op.Call, 2, 'AtomicLong', 'm:counter', 'noSuchMethod', []]]);
  await peer.replyTo(2);
  t.after(() => peer.close());
  // One call parked: a barrier of two with one party.
  const barrier = new CyclicBarrier({ key: 'm:barrier', client }, 2);
  const waiting = barrier.await();
  assert.equal(await barrier.waiting(), 1);

  const m = await scrape(node.node.metricsUrl!);
  assert.equal(m.get('skein_calls_total{type="AtomicLong",method="incrementAndGet"}'), 7);
  assert.equal(m.get('skein_calls_total{type="AtomicLong",method="get"}'), 2);
  assert.equal(m.get('skein_calls_total{type="SharedMap",method="set"}'), 3);
  assert.equal(m.get('skein_calls_total{type="SharedMap",method="merge"}'), 1, 'a call that failed counts too');
  assert.equal(m.get('skein_calls_total{type="(unknown)",method="(unknown)"}'), 2);
  assert.equal(m.get('skein_calls_total{type="CyclicBarrier",method="waiting"}'), 1);
  assert.equal(m.get('skein_calls_total{type="CyclicBarrier",method="await"}'), undefined, 'a parked call is counted when answered');
  assert.equal([...m.keys()].filter((k) => k.startsWith('skein_calls_total')).length, 6);
  assert.equal(m.get('skein_objects{type="AtomicLong"}'), 1);
  assert.equal(m.get('skein_objects{type="SharedMap"}'), 1);
  assert.equal(m.get('skein_objects{type="CyclicBarrier"}'), 1);
  assert.equal(m.get('skein_parked_calls'), 1);
  assert.equal(m.get('skein_cache_subscriptions'), 0, 'a call parked on a barrier is no cache subscription');
  assert.equal(m.get('skein_sessions'), 2, 'the client and the raw peer');
  assert.equal(m.get('skein_members'), 1);
  assert.equal(m.get('skein_view_epoch'), 1);
  assert.equal(m.get('skein_view_stable'), 1);
  assert.equal(m.get('skein_lost_regions'), 0);
  assert.equal(m.get('skein_journal_lag_records'), 0);
  assert.equal(m.get('skein_replies_held'), 0);
  assert.ok(m.get('skein_received_bytes_total')! > before.get('skein_received_bytes_total')!);
  assert.ok(m.get('skein_sent_bytes_total')! > before.get('skein_sent_bytes_total')!);
  // Latency is sampled: never more observations than answered calls.
  const answered = [...m].filter(([k]) => k.startsWith('skein_calls_total')).reduce((n, [, v]) => n + v, 0);
  const timed = [...m].filter(([k]) => k.startsWith('skein_call_duration_seconds_count')).reduce((n, [, v]) => n + v, 0);
  assert.ok(timed <= answered, `${timed} timed of ${answered} answered`);
  assert.ok(m.has('process_cpu_user_seconds_total'), 'the process metrics are there too');

  await barrier.await();
  await waiting;
  const again = await scrape(node.node.metricsUrl!);
  assert.equal(again.get('skein_calls_total{type="CyclicBarrier",method="await"}'), 2);
  assert.equal(again.get('skein_parked_calls'), 0);
});

test('skein_cache_subscriptions counts the caches subscribed to lattice objects, until their clients close', async (t) => {
  const node = await testNode({ metricsPort: 0 }, t.signal);
  t.after(() => node.close());
  const client = await node.client();
  await new MaxRegister({ key: 'm:max', client }).offer(7);
  const m = await pollUntil(() => scrape(node.node.metricsUrl!), (s) => s.get('skein_cache_subscriptions') === 1);
  assert.equal(m.get('skein_cache_subscriptions'), 1);
  assert.equal(m.get('skein_objects{type="MaxRegister"}'), 1);
  await client.close();
  const closed = await pollUntil(() => scrape(node.node.metricsUrl!), (s) => s.get('skein_cache_subscriptions') === 0);
  assert.equal(closed.get('skein_cache_subscriptions'), 0);
});

test('the metrics server answers 404 on any other path and 405 to other methods', async (t) => {
  const node = await testNode({ metricsPort: 0 }, t.signal);
  t.after(() => node.close());
  const base = node.node.metricsUrl!.replace(/\/metrics$/, '');
  for (const path of ['/', '/metric', '/metrics/x', '/api/state']) {
    const res = await fetch(base + path);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
  const res = await fetch(`${base}/metrics`, { method: 'POST' });
  assert.equal(res.status, 405);
  await res.body?.cancel();
  assert.equal((await fetch(`${base}/metrics?x=1`)).status, 200, 'a query string does not change the path');
});

test('NodeInfo counts every answered call and names the hottest key', async (t) => {
  const node = await testNode({}, t.signal);
  t.after(() => node.close());
  const client = await node.client();
  const hot = new AtomicLong({ key: 'hk:hot', client });
  // 500 calls: at least 7 of them sampled (a sample gap is at most 63 calls); each other key has
  // 5 calls, so at most 5 samples.
  for (let i = 0; i < 500; i++) await hot.incrementAndGet();
  for (const k of ['hk:a', 'hk:b']) {
    const other = new AtomicLong({ key: k, client });
    for (let i = 0; i < 5; i++) await other.incrementAndGet();
  }
  const info = await client.info();
  assert.equal(info.calls, 510);
  assert.equal(info.hotKeys[0]?.key, 'hk:hot');
  assert.ok(info.hotKeys[0]!.calls >= 7 * 32, `estimated ${info.hotKeys[0]!.calls} calls`);
  assert.ok(info.hotKeys.length <= 10);
});

test('a metrics port in use fails the start with a ListenError naming it', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    await assert.rejects(startNode({ metricsPort: port, logLevel: 'silent' }), (err: unknown) => {
      assert.ok(err instanceof ListenError);
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(err.message, `the metrics server cannot listen on 127.0.0.1:${port}: the port is in use`);
      return true;
    });
    const cli = await runSkein(['dso', '--port', '0', '--metrics-port', String(port)]);
    assert.equal(cli.code, 1);
    assert.equal(cli.stderr, `skein dso: the metrics server cannot listen on 127.0.0.1:${port}: the port is in use\n`);
    assert.doesNotMatch(cli.stdout, /listening/);
  } finally {
    taken.close();
  }
});

test('bad metrics options are refused', async () => {
  await assert.rejects(startNode({ metricsPort: 70000 }), /metricsPort must be an integer from 0 to 65535/);
  await assert.rejects(startNode({ metricsHost: '127.0.0.1' }), /metricsHost needs metricsPort/);
  const cli = await runSkein(['dso', '--metrics-host', '127.0.0.1']);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /--metrics-host needs --metrics-port/);
});

test('in a cluster each member tells its view, the calls it owned, its copies and its replication lag', { timeout: 60_000 }, async () => {
  const ports = [await freePort(), await freePort()];
  const first = await startMember({ metricsPort: ports[0], rf: 2, etcd: (await clusterEtcd()).url, cluster: `metrics-${process.pid}` });
  const second = await startMemberLike(first, { metricsPort: ports[1], rf: 2 });
  const client = clusterClient([first, second]);
  await waitForMembers(client, [first.url, second.url]);
  await waitForStable(client);
  const counters = Array.from({ length: 10 }, (_, i) => new AtomicLong({ key: `mc-${i}`, client }));
  for (let round = 0; round < 3; round++) await Promise.all(counters.map((c) => c.incrementAndGet()));
  const [a, b] = await Promise.all(ports.map((p) => scrape(`http://127.0.0.1:${p}/metrics`)));
  for (const [m, other] of [[a!, second.url], [b!, first.url]] as const) {
    assert.equal(m.get('skein_members'), 2);
    assert.equal(m.get('skein_view_stable'), 1);
    assert.equal(m.get('skein_objects{type="AtomicLong"}'), 10, 'every counter, as owner or backup');
    // Every reply waited for the backup's acknowledgement of the records before it.
    assert.equal(m.get(`skein_replication_lag_records{member="${other}"}`), 0);
  }
  assert.equal(a!.get('skein_view_epoch'), b!.get('skein_view_epoch'));
  const calls = (m: Map<string, number>): number => m.get('skein_calls_total{type="AtomicLong",method="incrementAndGet"}') ?? 0;
  assert.equal(calls(a!) + calls(b!), 30, 'each call counted once, by its owner');
  await client.close();
  await Promise.all([first.stop(), second.stop()]);
});
