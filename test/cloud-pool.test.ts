import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { CloudPool } from '../src/index.ts';
import { BACKENDS } from './support/threads.ts';

/** Calls as piscina code makes them: data, and the export to call (undefined: the default). */
const CALLS: Array<[data: { a: unknown; b: unknown }, name: string | undefined]> = [
  [{ a: 6, b: 7 }, undefined],
  [{ a: 6, b: 7 }, 'multiply'],
  [{ a: 'sk', b: 'ein' }, 'default'],
  [{ a: -2, b: 0.25 }, 'multiply'],
];
const EXPECTED = [13, 42, 'skein', -0.5];

/** The same worker file in both module systems: a sync default export and an async named one. */
const MJS = new URL('./fixtures/piscina-worker.mjs', import.meta.url);
const CJS = new URL('./fixtures/piscina-worker.cjs', import.meta.url);

interface PiscinaLike {
  run(data: unknown, opts?: { name?: string }): Promise<unknown>;
  destroy(): Promise<void>;
}

/** Runs every call on `pool`, destroys it, and resolves to the results. */
async function runAll(pool: PiscinaLike): Promise<unknown[]> {
  try {
    return await Promise.all(CALLS.map(([data, name]) => pool.run(data, name === undefined ? {} : { name })));
  } finally {
    await pool.destroy();
  }
}

test('piscina runs the worker files (the reference results)', async () => {
  const [mjs, cjs] = await Promise.all(
    [MJS, CJS].map((url) => runAll(new Piscina({ filename: fileURLToPath(url), maxThreads: 1 }))),
  );
  assert.deepEqual(mjs, EXPECTED);
  assert.deepEqual(cjs, EXPECTED);
});

for (const backend of BACKENDS) {
  test(`CloudPool on the ${backend} backend runs the same files unchanged, named by path or file URL`, async () => {
    const filenames = { 'ESM by path': fileURLToPath(MJS), 'ESM by URL': MJS.href, 'CommonJS by path': fileURLToPath(CJS) };
    const results = await Promise.all(
      Object.values(filenames).map((filename) => runAll(new CloudPool({ filename, backend, maxThreads: 1 }))),
    );
    for (const [i, form] of Object.keys(filenames).entries()) assert.deepEqual(results[i], EXPECTED, form);
  });
}

test('destroy() resolves once running tasks are done, and the pool then refuses work', async () => {
  const pool = new CloudPool({ filename: MJS.href, maxThreads: 1 });
  const running = pool.run({ a: 2, b: 3 }, { name: 'multiply' });
  await pool.destroy();
  assert.equal(pool.completed, 1);
  assert.equal(await running, 6);
  await assert.rejects(pool.run({ a: 1, b: 1 }), /destroyed/);
});

test('a relative filename is refused with a TypeError saying what is accepted', () => {
  for (const filename of ['test/fixtures/piscina-worker.mjs', './piscina-worker.mjs', 'piscina-worker']) {
    assert.throws(
      () => new CloudPool({ filename }),
      (err: unknown) => {
        assert.ok(err instanceof TypeError);
        assert.match(err.message, /absolute or a file URL/);
        assert.ok(err.message.includes(filename));
        return true;
      },
    );
  }
});
