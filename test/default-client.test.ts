import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AtomicLong, defaultClient, setDefaultClient } from '../src/index.ts';
import { testNode } from './support/node.ts';

test('handles that name no client use the default client from SKEIN_DSO and SKEIN_TOKEN', async () => {
  const t = await testNode({ token: 'sesame' });
  const saved = { dso: process.env.SKEIN_DSO, token: process.env.SKEIN_TOKEN };
  process.env.SKEIN_DSO = t.url;
  process.env.SKEIN_TOKEN = 'sesame';
  setDefaultClient(undefined);
  try {
    const counter = new AtomicLong('default-path', 41);
    assert.equal(await counter.incrementAndGet(), 42);
    const viaExplicit = new AtomicLong({ key: 'default-path', client: await t.client() });
    assert.equal(await viaExplicit.get(), 42);
    assert.equal(counter.client, defaultClient());
  } finally {
    await defaultClient().close();
    setDefaultClient(undefined);
    process.env.SKEIN_DSO = saved.dso;
    process.env.SKEIN_TOKEN = saved.token;
    if (saved.dso === undefined) delete process.env.SKEIN_DSO;
    if (saved.token === undefined) delete process.env.SKEIN_TOKEN;
    await t.close();
  }
});

test('without SKEIN_DSO the default client explains how to configure one', () => {
  const saved = process.env.SKEIN_DSO;
  delete process.env.SKEIN_DSO;
  setDefaultClient(undefined);
  try {
    assert.throws(() => new AtomicLong('x').client, /SKEIN_DSO/);
  } finally {
    if (saved !== undefined) process.env.SKEIN_DSO = saved;
  }
});
