/**
 * The Santa Claus problem on 20 cloud threads (Santa, 9 reindeer, 10 elves) that share a group per
 * kind of team, gates, Santa's door and a clock (examples/lib/santa-core.ts has what each thread
 * does). The groups, gates and door are monitors: their methods run on the DSO node, and wait with
 * blockUntil. The run's record is checked against the problem's invariants.
 *
 *   npx skein run examples/santa.ts                      (50 years)
 *   YEARS=5 ELF_GROUPS=20 npx skein run examples/santa.ts   (elf groups helped: default, as many as years)
 */
import { AtomicLong, CloudThread, blockUntil, callState, notifyAll, sharedClass, task } from 'skein';
import {
  ELF_GROUP,
  ELVES,
  REINDEER,
  checkSanta,
  elf,
  reindeer,
  santa,
  santaParams,
  type Gathered,
  type SantaParams,
  type SantaRun,
  type Team,
  type Ticket,
  type Wake,
  type Workshop,
} from './lib/santa-core.ts';
import { envInt } from './lib/env.ts';

/** Gathers `teams` teams of `size`; a member waits while the current team is full and not taken. */
export const Group = sharedClass(
  'santa.Group',
  class {
    generation = 0;
    joined = 0;
    members: number[] = [];
    constructor(
      readonly size: number,
      readonly teams: number,
    ) {}
    join(id: number): Ticket | null {
      blockUntil(this.joined === this.size * this.teams || this.members.length < this.size);
      if (this.joined === this.size * this.teams) return null;
      this.joined++;
      this.members.push(id);
      return { generation: this.generation, last: this.members.length === this.size };
    }
    take(): Gathered {
      blockUntil(this.members.length === this.size);
      const team = { generation: this.generation++, members: this.members };
      this.members = [];
      return team;
    }
  },
  { atomic: true },
);

/** Lets one team of `size` through, each member once. */
export const Gate = sharedClass(
  'santa.Gate',
  class {
    generation = 0;
    remaining = 0;
    passed: number[] = [];
    constructor(readonly size: number) {}
    pass(generation: number, id: number): void {
      blockUntil(this.generation === generation && this.remaining > 0);
      this.remaining--;
      this.passed.push(id);
    }
    operate(generation: number): number[] {
      const call = callState(() => ({ opened: false }));
      if (!call.opened) {
        call.opened = true;
        this.generation = generation;
        this.remaining = this.size;
        this.passed = [];
        notifyAll();
      }
      blockUntil(this.remaining === 0);
      return this.passed;
    }
  },
  { atomic: true },
);

/** Where the last member of a team wakes Santa; he picks the reindeer whenever they are ready. */
export const SantaDoor = sharedClass(
  'santa.Door',
  class {
    reindeerReady = false;
    elfGroupsReady = 0;
    ring(team: Team): void {
      if (team === 'reindeer') this.reindeerReady = true;
      else this.elfGroupsReady++;
    }
    sleep(): Wake {
      blockUntil(this.reindeerReady || this.elfGroupsReady > 0);
      const wake: Wake = { choice: this.reindeerReady ? 'reindeer' : 'elves', reindeerReady: this.reindeerReady, elfGroupsReady: this.elfGroupsReady };
      if (wake.choice === 'reindeer') this.reindeerReady = false;
      else this.elfGroupsReady--;
      return wake;
    }
  },
  { atomic: true },
);

/** The shared objects, by key: every thread opens the same ones. */
function openWorkshop({ years, elfGroups }: Required<SantaParams>): Workshop {
  return {
    reindeer: new Group('santa.reindeer', REINDEER, years),
    elves: new Group('santa.elves', ELF_GROUP, elfGroups),
    harness: new Gate('santa.harness', REINDEER),
    unharness: new Gate('santa.unharness', REINDEER),
    studyIn: new Gate('santa.studyIn', ELF_GROUP),
    studyOut: new Gate('santa.studyOut', ELF_GROUP),
    door: new SantaDoor('santa.door'),
    clock: new AtomicLong('santa.clock'),
  };
}

type Role = { role: 'santa' } | { role: 'reindeer' | 'elf'; id: number };

/** One of the 20 threads. */
export const member = task('santa.member', async ({ params, ...who }: Role & { params: Required<SantaParams> }) => {
  const w = openWorkshop(params);
  if (who.role === 'santa') return santa(w, params);
  return who.role === 'reindeer' ? reindeer(w, who.id) : elf(w, who.id);
});

/** Runs the problem on 20 cloud threads; resolves to the run's record. */
export async function runSanta(options: SantaParams): Promise<SantaRun> {
  const params = santaParams(options);
  await Promise.all(Object.values(openWorkshop(params)).map((o) => o.destroy()));
  const roles: Role[] = [
    { role: 'santa' },
    ...Array.from({ length: REINDEER }, (_, id) => ({ role: 'reindeer' as const, id })),
    ...Array.from({ length: ELVES }, (_, id) => ({ role: 'elf' as const, id })),
  ];
  const threads = roles.map((who) => new CloudThread(member, { ...who, params }).start());
  const [done, ...others] = await Promise.all(threads.map((t) => t.join()));
  return {
    santa: done as SantaRun['santa'],
    rides: others.slice(0, REINDEER).flat() as SantaRun['rides'],
    consults: others.slice(REINDEER).flat() as SantaRun['consults'],
  };
}

export default async function main(): Promise<string> {
  const years = envInt('YEARS', 50, { min: 1 });
  const params = { years, elfGroups: envInt('ELF_GROUPS', years, { min: 0 }) };
  const started = performance.now();
  const run = await runSanta(params);
  const seconds = (performance.now() - started) / 1000;
  const violations = checkSanta(run, params);
  if (violations.length > 0) throw new Error(`the run broke the invariants:\n${violations.join('\n')}`);
  const helps = run.santa.filter((a) => a.kind === 'help').length;
  return `santa: ${params.years} deliveries and ${helps} elf groups helped on 20 threads in ${seconds.toFixed(2)} s; invariants hold`;
}
