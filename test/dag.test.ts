import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configureRuntime, dag, DagError, DagNodeError, RemoteError, SharedFuture, SharedMap, TimeoutError } from '../src/index.ts';
import { awaitKey, boom, collect, double, inc, join, mark, place, prefix, readReg, writeReg } from './fixtures/dag-tasks.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

describe('dag() checks the definition', () => {
  const rejects = (nodes: Parameters<typeof dag>[1], pattern: RegExp): void => {
    assert.throws(() => dag('bad', nodes), (err: unknown) => err instanceof DagError && err.code === 'EDAG_INVALID' && pattern.test(err.message));
  };

  test('a node needs a task made by task()', () => {
    rejects({ a: { task: { name: 'dag.inc', run: () => 1 } as never } }, /node 'a' needs a task made by task\(\)/);
    rejects({ a: {} as never }, /node 'a' needs a task/);
  });

  test('every after names another node of the DAG, once', () => {
    rejects({ a: { task: inc }, b: { task: inc, after: ['x'] } }, /node 'b' runs after "x", which is not a node/);
    rejects({ a: { task: inc }, b: { task: inc, after: ['a', 'a'] } }, /names an upstream twice/);
    rejects({ a: { task: inc, after: ['a'] } }, /runs after itself/);
  });

  test('no cycle', () => {
    rejects({ s: { task: inc }, a: { task: inc, after: ['s', 'b'] }, b: { task: inc, after: ['a'] }, z: { task: join, after: ['b'] } }, /cycle through 'a', 'b'/);
  });

  test('exactly one sink', () => {
    rejects({ a: { task: inc }, b: { task: inc, after: ['a'] }, c: { task: inc, after: ['a'] } }, /2 sinks \('b', 'c'\)/);
  });

  test('connected: a part apart from the rest has a sink of its own', () => {
    rejects({ a: { task: inc }, b: { task: inc, after: ['a'] }, x: { task: inc }, y: { task: inc, after: ['x'] } }, /2 sinks \('b', 'y'\).*connected/);
  });

  test('args must be an array of values that can travel; the name and nodes must be given', () => {
    rejects({ a: { task: inc, args: 1 as never } }, /args must be an array/);
    assert.throws(() => dag('bad', { a: { task: inc, args: [() => 1] } }), /SerializationError|cannot|function/i);
    rejects({}, /at least one node/);
    assert.throws(() => dag('', { a: { task: inc } }), DagError);
  });
});

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 4 }));

    test('a chain passes each result to the next; call resolves to the sink\'s', async () => {
      const d = dag<number, number>(`chain-${backend}`, { a: { task: inc }, b: { task: double, after: ['a'] }, c: { task: inc, after: ['b'] } });
      assert.equal(await d.call(4), 11);
      assert.equal(await d.call(0), 3);
    });

    test('a chain runs in place: every node in the worker of the first', async () => {
      const d = dag<string[], string[]>(`in-place-${backend}`, {
        a: { task: place },
        b: { task: place, after: ['a'] },
        c: { task: place, after: ['b'] },
        d: { task: place, after: ['c'] },
      });
      const seen = await d.call([]);
      assert.equal(seen.length, 4);
      assert.equal(new Set(seen).size, 1, `the chain ran in ${seen.join(', ')}`);
    });

    test('1 -> 3 -> 1: fan-out, then fan-in with args first and upstream results in after order', async () => {
      const d = dag<string, string>(`fan-${backend}`, {
        src: { task: prefix, args: ['<'] },
        x: { task: prefix, args: ['x'], after: ['src'] },
        y: { task: prefix, args: ['y'], after: ['src'] },
        z: { task: prefix, args: ['z'], after: ['src'] },
        out: { task: join, args: ['head'], after: ['z', 'x', 'y'] },
      });
      assert.equal(await d.call('in'), 'head|z<in|x<in|y<in');
    });

    test('a node that throws fails the run with DagNodeError; nothing starts after it', async () => {
      const ran = new SharedMap<string, boolean>('dag.ran');
      await ran.destroy();
      const d = dag<string, string>(`fails-${backend}`, {
        a: { task: mark },
        bad: { task: boom, after: ['a'] },
        c: { task: mark, after: ['bad'] },
      });
      const run = d.start(`before-${backend}`);
      const err = await run.result().then(
        () => assert.fail('the run succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof DagNodeError, String(err));
      assert.equal(err.code, 'EDAG_NODE');
      assert.equal(err.node, 'bad');
      assert.ok(err.cause instanceof RemoteError);
      assert.equal(err.cause.remoteName, 'RangeError');
      assert.match(err.cause.message, /boom on "before-/);
      assert.deepEqual(await run.status(), { state: 'failed', nodes: { a: 'done', bad: 'failed', c: 'waiting' }, failed: 'bad' });
      assert.deepEqual(await ran.keys(), [`before-${backend}`]);
    });

    test('start returns a run; status() tells where it stands; result() resolves to the sink\'s result', async () => {
      const d = dag<number, number>(`start-${backend}`, { a: { task: inc }, b: { task: inc, after: ['a'] } });
      const run = d.start(1);
      assert.equal(typeof run.id, 'string');
      assert.equal(await run.result(), 3);
      assert.deepEqual(await run.status(), { state: 'done', nodes: { a: 'done', b: 'done' } });
      // The result stays: asking again answers it again.
      assert.equal(await run.result(), 3);
    });

    test('read-your-writes holds across the run\'s functions, in other workers', async () => {
      const key = `dag.ryw.${backend}`;
      const d = dag<string, Array<{ read: string; where: string; level: string }>>(`session-${backend}`, {
        w: { task: writeReg },
        r1: { task: readReg, after: ['w'] },
        r2: { task: readReg, after: ['w'] },
        out: { task: collect, after: ['r1', 'r2'] },
      });
      const reads = await d.call(key, { consistency: 'read-your-writes' });
      assert.equal(reads.length, 2);
      for (const r of reads) {
        assert.equal(r.level, 'read-your-writes');
        assert.match(r.read, /^written by /);
      }
      const writer = reads[0]!.read.slice('written by '.length);
      // One reader ran in place, in the writer's worker; the other was started elsewhere.
      assert.ok(reads.some((r) => r.where !== writer), `every reader ran in ${writer}`);
      if (backend === 'process') assert.ok(reads.some((r) => r.where.split('/')[0] !== writer.split('/')[0]), 'no reader ran in another process');
    });
  });
}

describe('timeouts', () => {
  test('result({ timeoutMs }) rejects with TimeoutError; the run goes on and result() answers later', async () => {
    configureRuntime({ backend: 'local', workers: 2 });
    const key = 'dag.timeout.release';
    await new SharedFuture(key).destroy();
    const run = dag<string, string>('timeout', { a: { task: awaitKey }, b: { task: inc, after: ['a'] } }).start(key);
    await assert.rejects(run.result({ timeoutMs: 50 }), TimeoutError);
    assert.equal((await run.status()).state, 'running');
    await new SharedFuture<string>(key).set('1');
    assert.equal(await run.result(), '11');
  });
});
