import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AtomicLong,
  CloudPool,
  configureRuntime,
  onThreadCounts,
  RemoteError,
  SerializationError,
  ServerlessExecutor,
  shutdownRuntime,
} from '../src/index.ts';
import { echo, returnsFunction, returnsInstance, returnsUnusedHandle } from './fixtures/serialization-tasks.ts';
import { BACKENDS, threadsNode } from './support/threads.ts';
import type { TestNode } from './support/node.ts';

let t: TestNode;
before(async () => (t = await threadsNode()));
after(() => t.close());

class Money {
  constructor(readonly cents: number) {}
}

const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = { back: cyclic };

const unsendable: Array<[what: string, arg: unknown, path: RegExp]> = [
  ['a function', { options: { onDone: () => undefined } }, /^arg\.options\.onDone is a function/],
  ['a symbol', [1, 2, Symbol('tag')], /^arg\[2\] is a symbol/],
  ['a class instance', { price: new Money(250) }, /^arg\.price is a Money instance/],
  ['a cycle', cyclic, /^arg\.self\.back is part of a cycle/],
];

describe('at spawn', () => {
  for (const [what, arg, path] of unsendable) {
    test(`an argument holding ${what} throws SerializationError with the path, starting no thread`, () => {
      let spawned = 0;
      const off = onThreadCounts(() => spawned++);
      try {
        assert.throws(
          () => echo.spawn(arg),
          (err: unknown) => {
            assert.ok(err instanceof SerializationError);
            assert.equal(err.code, 'ESERIALIZE');
            assert.match(err.message, path);
            return true;
          },
        );
      } finally {
        off();
      }
      assert.equal(spawned, 0);
    });
  }

  test('entry points that return a promise reject with it rather than throw', async () => {
    const pool = new CloudPool({ filename: new URL('./fixtures/piscina-worker.mjs', import.meta.url).href, maxThreads: 1 });
    const executor = new ServerlessExecutor({ backend: 'local', workers: 1 });
    const arg = { onDone: () => undefined };
    try {
      const starts: Array<() => Promise<unknown>> = [
        () => echo.run(arg),
        () => executor.submit(echo, arg),
        () => executor.invokeAll([[echo, arg]]),
        () => pool.run(arg),
      ];
      for (const start of starts) {
        let result: Promise<unknown> | undefined;
        assert.doesNotThrow(() => (result = start()));
        await assert.rejects(result!, (err: unknown) => err instanceof SerializationError && /^arg\.onDone/.test(err.message));
      }
    } finally {
      await pool.destroy();
      await executor.shutdown();
    }
  });

  test('a handle never called, with init args, throws: its init args would not travel', async () => {
    const counter = new AtomicLong('fresh-counter', 10);
    assert.throws(() => echo.spawn({ counter }), (err: unknown) => {
      assert.ok(err instanceof SerializationError);
      assert.match(err.message, /^arg\.counter is a handle to AtomicLong 'fresh-counter' that was never called/);
      return true;
    });
    await counter.get();
    assert.equal(((await echo.run({ counter })) as { counter: AtomicLong }).counter.key, 'fresh-counter');
  });
});

for (const backend of BACKENDS) {
  describe(`results on the ${backend} backend`, () => {
    before(() => configureRuntime({ backend, workers: 2 }));
    after(() => shutdownRuntime());

    const unsendableResults: Array<[what: string, run: () => Promise<unknown>, message: RegExp]> = [
      ['a function', () => returnsFunction.run(undefined), /^result\.format is a function/],
      ['a class instance', () => returnsInstance.run(undefined), /^result\.at is a Point instance/],
      [
        'a handle never called',
        () => returnsUnusedHandle.run(`unused-${backend}`),
        /^result is a handle to AtomicLong 'unused-.*' that was never called/,
      ],
    ];
    for (const [what, run, message] of unsendableResults) {
      test(`a result holding ${what} rejects join() with a SerializationError from the thread`, async () => {
        await assert.rejects(run(), (err: unknown) => {
          assert.ok(err instanceof RemoteError);
          assert.equal(err.remoteName, 'SerializationError');
          assert.match(err.message, message);
          return true;
        });
      });
    }
  });
}
