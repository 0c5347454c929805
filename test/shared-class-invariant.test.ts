import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bank } from './fixtures/shared-classes.ts';
import { testNode } from './support/node.ts';

test('many clients transferring concurrently keep the total constant; overdrafts roll back', { timeout: 10_000 }, async ({ signal }) => {
  const CLIENTS = 8;
  const TRANSFERS = 40;
  const ACCOUNTS = 6;
  const INITIAL = 50;
  const TOTAL = ACCOUNTS * INITIAL;
  const t = await testNode({ objects: [Bank] }, signal);
  try {
    const open = async (): Promise<InstanceType<typeof Bank>> => new Bank({ key: 'bank', client: await t.client() }, ACCOUNTS, INITIAL);
    const tellers = await Promise.all(Array.from({ length: CLIENTS }, open));
    const auditor = await open();
    await auditor.audit();

    let running = true;
    const audits: { total: number; lowest: number }[] = [];
    const auditing = (async () => {
      for (let i = 0; i < 10_000 && running; i++) audits.push(await auditor.audit());
    })();
    const outcomes = await Promise.all(
      tellers.map(async (bank, c) => {
        let seed = c + 1;
        const next = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
        let ok = 0;
        let overdrawn = 0;
        for (let i = 0; i < TRANSFERS; i++) {
          const from = next(ACCOUNTS);
          const to = (from + 1 + next(ACCOUNTS - 1)) % ACCOUNTS;
          try {
            assert.ok((await bank.transfer(from, to, 1 + next(60))) >= 0);
            ok++;
          } catch (err) {
            assert.equal((err as { remoteName?: string }).remoteName, 'OverdraftError', String(err));
            overdrawn++;
          }
        }
        return { ok, overdrawn };
      }),
    ).finally(() => (running = false));
    await auditing;

    const ok = outcomes.reduce((n, o) => n + o.ok, 0);
    const overdrawn = outcomes.reduce((n, o) => n + o.overdrawn, 0);
    assert.ok(ok > 0 && overdrawn > 0, `both kinds happened: ${ok} ok, ${overdrawn} overdrawn`);
    assert.ok(audits.length > 0);
    for (const a of audits) {
      assert.deepEqual({ total: a.total, negative: a.lowest < 0 }, { total: TOTAL, negative: false }, 'an audit during the run');
    }

    const end = await auditor.audit();
    assert.deepEqual(end, { total: TOTAL, transfers: ok, lowest: end.lowest });
    assert.ok(end.lowest >= 0);
    // Replaying the transfers the node kept, in its order, gives its balances: the failed ones left nothing.
    const { balances, log } = await auditor.snapshot();
    const replay = new Array<number>(ACCOUNTS).fill(INITIAL);
    for (const [from, to, amount] of log) {
      replay[from]! -= amount;
      replay[to]! += amount;
      assert.ok(replay[from]! >= 0, 'a kept transfer overdrew an account');
    }
    assert.deepEqual(balances, replay);
  } finally {
    await t.close();
  }
});
