import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CountDownLatch, PnCounter } from '../src/index.ts';
import { launchChromium } from './support/browser.ts';
import { exited, output, ROOT, skein, stopChild, testNode, waitForLine } from './support/node.ts';
import type { ChildProcess } from 'node:child_process';

const children: ChildProcess[] = [];
let browser: Browser | undefined;
after(async () => {
  await browser?.close();
  for (const child of children) await stopChild(child);
});

test('the dashboard shows, in a real browser, the members, objects, hot keys, calls per second, a program\'s threads, lattice objects and caches', { timeout: 240_000 }, async (t) => {
  const node = await testNode({}, t.signal);
  t.after(() => node.close());

  const dashboard = skein(['dashboard', '--dso', node.url, '--port', '0']);
  children.push(dashboard);
  const [, pageUrl] = await waitForLine(dashboard, /skein dashboard on (http:\/\/\S+)/);

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // A bound, not a timing: on a loaded machine `skein run` alone can take longer than playwright's 30 s default.
  page.setDefaultTimeout(150_000);
  await page.goto(pageUrl!);
  // The member and its view, once the dashboard has polled the DSO.
  await page.waitForSelector(`#members tr[data-url="${node.url}"]`);
  assert.equal(await page.textContent('#view-status'), 'view 1 · stable');
  assert.equal(await page.textContent('#total-members'), '1');

  const app = skein(['run', 'test/fixtures/dashboard-app.ts', '--dso', node.url]);
  children.push(app);
  const printed = output(app);

  // Its 600 calls on one counter make it the hottest key.
  await page.waitForSelector('#hot-keys tr[data-key="dash:hot"]');
  assert.equal(await page.textContent('#hot-keys tbody tr:first-child td.key'), 'dash:hot');
  // Both threads are running (they wait for the test to release them), and the program shows it.
  const appRow = '#apps tr[data-program="test/fixtures/dashboard-app.ts"]';
  await page.waitForFunction((row) => document.querySelector(`${row} td.running`)?.textContent === '2', appRow);
  assert.equal(await page.getAttribute(appRow, 'data-outcome'), 'running');
  // Objects per type: the three counters, the latch, the list, the registry of apps, and the lattice counter.
  await page.waitForFunction(() => document.querySelector('#objects-bars [data-type="AtomicLong"] .count')?.textContent === '3');
  for (const [type, count] of [['CountDownLatch', '1'], ['SharedList', '1'], ['SharedMap', '1'], ['PnCounter', '1']]) {
    assert.equal(await page.textContent(`#objects-bars [data-type="${type}"] .count`), count, type);
  }
  assert.equal(await page.getAttribute('#objects-bars [data-type="PnCounter"]', 'data-lattice'), 'true');
  assert.equal(await page.getAttribute('#objects-bars [data-type="AtomicLong"]', 'data-lattice'), 'false');
  // The lattice counter, kept subscribed by the program's cache; the cache as the program reports it.
  assert.deepEqual(await page.$$eval('#lattice tbody tr', (rows) => rows.map((r) => r.getAttribute('data-type'))), ['PnCounter']);
  assert.equal(await page.textContent('#lattice tr[data-type="PnCounter"] .count'), '1');
  await page.waitForFunction(() => document.querySelector('#total-subscriptions')?.textContent === '1');
  assert.equal(await page.textContent('#lattice-subscriptions'), '1');
  assert.equal(await page.textContent(`#members tr[data-url="${node.url}"] td.subscriptions`), '1');
  const cacheRow = '#caches tr[data-program="test/fixtures/dashboard-app.ts"]';
  // One key, written once (and acknowledged) and read once from the cache; `pushes` states the node pushed.
  const cacheShows = (pushes: string) =>
    page.waitForFunction(
      // Keys, writes, unflushed, hit ratio, pushes (a page function: no named helper inside).
      ([row, want]) =>
        ['keys', 'writes', 'unflushed', 'hit-ratio', 'pushes'].map((c) => document.querySelector(`${row} td.${c}`)?.textContent).join(' ') ===
        `1 1 0 100% ${want}`,
      [cacheRow, pushes] as const,
    );
  // The node's answer to the program's own write is the first push.
  await cacheShows('1');
  assert.match((await page.textContent(`${cacheRow} td.bytes`)) ?? '', /^\d+ B \/ 64 MiB$/);
  assert.equal(await page.textContent(`${cacheRow} td.evictions`), '0');
  // Another client writes the counter: the node pushes it to the program's cache, and now holds two subscriptions.
  const client = await node.client();
  await new PnCounter({ key: 'dash:visits', client }).add(1);
  await client.flushWrites();
  await cacheShows('2');
  await page.waitForFunction(() => document.querySelector('#total-subscriptions')?.textContent === '2');
  // The chart has points, and calls were counted between two of them.
  await page.waitForFunction(() => Number(document.querySelector('#rate-chart')?.getAttribute('data-max-rate')) > 0);
  assert.ok(Number(await page.getAttribute('#rate-chart', 'data-points')) >= 2);
  assert.ok(((await page.getAttribute('#rate-chart polyline', 'points')) ?? '').split(' ').length >= 2);
  // The two threads wait on the latch, and the two caches' subscriptions are parked calls too.
  await page.waitForFunction(() => document.querySelector('#total-parked')?.textContent === '4');

  const shot = join(ROOT, 'test-output', 'dashboard.png');
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  const png = readFileSync(shot);
  assert.ok(png.length > 10_000, `a screenshot of a whole page, got ${png.length} bytes`);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');

  // Released, the threads finish, and so does the program: the page says so.
  await new CountDownLatch({ key: 'dash:release', client }, 1).countDown();
  assert.deepEqual(await exited(app), { code: 0, signal: null }, printed.stderr);
  assert.match(printed.stdout, /threads done: 1,2; visits: 6/);
  await page.waitForSelector(`${appRow}[data-outcome="ok"]`);
  assert.equal(await page.textContent(`${appRow} td.done`), '2');
  assert.equal(await page.textContent(`${appRow} td.running`), '0');
  assert.equal(await page.textContent('#total-threads'), '0');
  // Its client closed, its subscription is withdrawn; the test's own client's stays.
  await page.waitForFunction(() => document.querySelector('#total-subscriptions')?.textContent === '1');
  assert.equal(await page.textContent(`${cacheRow} td.keys`), '1', 'the final report keeps the cache as it was');
});
