import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runSanta as twinSanta } from '../bench/twins/santa.ts';
import { Gate, Group, SantaDoor, runSanta } from '../examples/santa.ts';
import { checkSanta, ELF_GROUP, REINDEER, type Delivery, type Help, type SantaRun } from '../examples/lib/santa-core.ts';
import { runSkein, stopSkeins } from './support/node.ts';
import { useAppNode } from './support/app-node.ts';

const PARAMS = { years: 4, elfGroups: 6 };

after(stopSkeins);
useAppNode({ objects: [Group, Gate, SantaDoor] });

/** Checks the invariants, then the run's shape directly, so a checker that says nothing cannot pass. */
function assertCorrect(run: SantaRun): void {
  assert.deepEqual(checkSanta(run, PARAMS), []);
  const deliveries = run.santa.filter((a): a is Delivery => a.kind === 'deliver');
  const helps = run.santa.filter((a): a is Help => a.kind === 'help');
  assert.deepEqual(deliveries.map((d) => d.year), [1, 2, 3, 4]);
  assert.ok(deliveries.every((d) => new Set(d.harnessed).size === REINDEER));
  assert.equal(helps.length, PARAMS.elfGroups);
  assert.ok(helps.every((h) => h.helped.length === ELF_GROUP && new Set(h.team.members).size === ELF_GROUP));
  assert.equal(run.rides.length, REINDEER * PARAMS.years);
  assert.equal(run.consults.length, ELF_GROUP * PARAMS.elfGroups);
}

test('on cloud threads, Santa delivers every year with all nine reindeer and helps elves in threes, reindeer first', { timeout: 30_000 }, async () => {
  assertCorrect(await runSanta(PARAMS));
  // The objects are fresh for every run: a second run is as correct as the first.
  assertCorrect(await runSanta(PARAMS));
});

test('on worker_threads, the twin keeps the same invariants', { timeout: 30_000 }, async () => {
  assertCorrect(await twinSanta(PARAMS));
});

test('checkSanta reports a broken run: a reindeer missing, elves helped while the reindeer waited, an elf in the study during a delivery', async () => {
  const run = await runSanta(PARAMS);
  const delivery = run.santa.find((a): a is Delivery => a.kind === 'deliver')!;
  const help = run.santa.find((a): a is Help => a.kind === 'help')!;
  const broken: SantaRun = {
    santa: run.santa.map((a) =>
      a === delivery ? { ...a, harnessed: a.harnessed.slice(1) } : a === help ? { ...a, wake: { ...a.wake, reindeerReady: true } } : a,
    ),
    rides: run.rides,
    consults: [...run.consults, { elf: 0, generation: help.team.generation, at: delivery.start + 1 }],
  };
  const violations = checkSanta(broken, PARAMS).join('\n');
  assert.match(violations, /year 1: delivered with (\d,){7}\d harnessed/);
  assert.match(violations, /while all the reindeer waited/);
  assert.match(violations, /elf 0 was in the study while Santa delivered in year 1/);
  assert.match(checkSanta(run, { years: 5, elfGroups: 6 }).join('\n'), /4 deliveries in 5 years/);
});

test('skein run examples/santa.ts with a few years exits 0 and reports the invariants hold', { timeout: 30_000 }, async () => {
  const { code, stdout, stderr } = await runSkein(['run', 'examples/santa.ts'], { SKEIN_DSO: undefined, SKEIN_TOKEN: undefined, YEARS: '3' });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^santa: 3 deliveries and 3 elf groups helped on 20 threads in .* s; invariants hold$/m);
});
