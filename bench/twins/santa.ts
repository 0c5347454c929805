/**
 * The Santa Claus problem on plain worker_threads: the multi-threaded program that
 * examples/santa.ts ports to cloud threads. 20 worker threads (Santa, 9 reindeer, 10 elves) share
 * a group per kind of team, gates, Santa's door and a clock (examples/lib/santa-core.ts has what
 * each thread does). The groups, gates and door are monitors in one SharedArrayBuffer: a lock and
 * a change count each, waiting with Atomics.wait until their condition holds.
 *
 *   node --import tsx bench/twins/santa.ts               (same env vars as the Skein version)
 */
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
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
} from '../../examples/lib/santa-core.ts';
import { envInt } from '../../examples/lib/env.ts';
import { runWorker } from './ts-worker.ts';

const LOCK = 0;
const CHANGES = 1;

/**
 * Java's monitor over Int32 cells of shared memory: cell 0 is the lock, cell 1 counts changes,
 * the rest are the object's fields. `when(ready, act)` is `synchronized` + `while (!ready) wait()`
 * + `act()` + `notifyAll()`.
 */
class Monitor {
  constructor(protected readonly cells: Int32Array) {}
  protected when<T>(ready: () => boolean, act: () => T): T {
    for (;;) {
      while (Atomics.compareExchange(this.cells, LOCK, 0, 1) !== 0) Atomics.wait(this.cells, LOCK, 1);
      const changes = Atomics.load(this.cells, CHANGES);
      const go = ready();
      const result = go ? act() : undefined;
      if (go) Atomics.add(this.cells, CHANGES, 1);
      Atomics.store(this.cells, LOCK, 0);
      Atomics.notify(this.cells, LOCK, 1);
      if (go) {
        Atomics.notify(this.cells, CHANGES);
        return result as T;
      }
      Atomics.wait(this.cells, CHANGES, changes);
    }
  }
}

/** Group's fields: the current team's generation, how many joined in all, how many this team, then who. */
const G = { generation: 2, joined: 3, count: 4, members: 5 } as const;

/** Gathers `teams` teams of `size`; a member waits while the current team is full and not taken. */
class Group extends Monitor {
  static cells = (size: number): number => G.members + size;
  constructor(
    cells: Int32Array,
    readonly size: number,
    readonly teams: number,
  ) {
    super(cells);
  }
  join(id: number): Ticket | null {
    return this.when(() => this.cells[G.joined] === this.size * this.teams || this.cells[G.count]! < this.size, () => {
      if (this.cells[G.joined] === this.size * this.teams) return null;
      this.cells[G.joined]!++;
      this.cells[G.members + this.cells[G.count]!++] = id;
      return { generation: this.cells[G.generation]!, last: this.cells[G.count] === this.size };
    });
  }
  take(): Gathered {
    return this.when(() => this.cells[G.count] === this.size, () => {
      const team = { generation: this.cells[G.generation]!++, members: [...this.cells.subarray(G.members, G.members + this.size)] };
      this.cells[G.count] = 0;
      return team;
    });
  }
}

/** Gate's fields: the team it is open for, passes left, how many passed, then who. */
const T = { generation: 2, remaining: 3, count: 4, passed: 5 } as const;

/** Lets one team of `size` through, each member once. */
class Gate extends Monitor {
  static cells = (size: number): number => T.passed + size;
  constructor(cells: Int32Array, readonly size: number) {
    super(cells);
  }
  pass(generation: number, id: number): void {
    this.when(() => this.cells[T.generation] === generation && this.cells[T.remaining]! > 0, () => {
      this.cells[T.remaining]!--;
      this.cells[T.passed + this.cells[T.count]!++] = id;
    });
  }
  operate(generation: number): number[] {
    this.when(() => true, () => {
      this.cells[T.generation] = generation;
      this.cells[T.remaining] = this.size;
      this.cells[T.count] = 0;
    });
    return this.when(() => this.cells[T.remaining] === 0, () => [...this.cells.subarray(T.passed, T.passed + this.size)]);
  }
}

/** SantaDoor's fields: whether the reindeer are ready (0 or 1), and how many elf groups are. */
const D = { reindeerReady: 2, elfGroupsReady: 3 } as const;

/** Where the last member of a team wakes Santa; he picks the reindeer whenever they are ready. */
class SantaDoor extends Monitor {
  static cells = (): number => 4;
  ring(team: Team): void {
    this.when(() => true, () => {
      if (team === 'reindeer') this.cells[D.reindeerReady] = 1;
      else this.cells[D.elfGroupsReady]!++;
    });
  }
  sleep(): Wake {
    return this.when(() => this.cells[D.reindeerReady] === 1 || this.cells[D.elfGroupsReady]! > 0, () => {
      const wake: Wake = { choice: this.cells[D.reindeerReady] ? 'reindeer' : 'elves', reindeerReady: this.cells[D.reindeerReady] === 1, elfGroupsReady: this.cells[D.elfGroupsReady]! };
      if (wake.choice === 'reindeer') this.cells[D.reindeerReady] = 0;
      else this.cells[D.elfGroupsReady]!--;
      return wake;
    });
  }
}

/** Cells of each shared object, in the order openWorkshop lays them out. */
const LAYOUT = [Group.cells(REINDEER), Group.cells(ELF_GROUP), ...[REINDEER, REINDEER, ELF_GROUP, ELF_GROUP].map(Gate.cells), SantaDoor.cells(), 1];

/** The shared objects, as views of `buffer`: every thread opens the same ones. */
function openWorkshop(buffer: SharedArrayBuffer, { years, elfGroups }: Required<SantaParams>): Workshop {
  let at = 0;
  const next = (cells: number): Int32Array => new Int32Array(buffer, 4 * (at += cells) - 4 * cells, cells);
  const [reindeerCells, elfCells, harness, unharness, studyIn, studyOut, door, clock] = LAYOUT.map(next) as [Int32Array, ...Int32Array[]];
  return {
    reindeer: new Group(reindeerCells, REINDEER, years),
    elves: new Group(elfCells!, ELF_GROUP, elfGroups),
    harness: new Gate(harness!, REINDEER),
    unharness: new Gate(unharness!, REINDEER),
    studyIn: new Gate(studyIn!, ELF_GROUP),
    studyOut: new Gate(studyOut!, ELF_GROUP),
    door: new SantaDoor(door!),
    clock: { incrementAndGet: () => Atomics.add(clock!, 0, 1) + 1 },
  };
}

type Role = { role: 'santa' } | { role: 'reindeer' | 'elf'; id: number };

/** One of the 20 threads. */
async function member({ params, buffer, ...who }: Role & { params: Required<SantaParams>; buffer: SharedArrayBuffer }): Promise<unknown> {
  const w = openWorkshop(buffer, params);
  if (who.role === 'santa') return santa(w, params);
  return who.role === 'reindeer' ? reindeer(w, who.id) : elf(w, who.id);
}

if (!isMainThread && workerData?.twin === 'santa') parentPort!.postMessage(await member(workerData));

/** Runs the problem on 20 worker threads; resolves to the run's record. */
export async function runSanta(options: SantaParams): Promise<SantaRun> {
  const params = santaParams(options);
  const buffer = new SharedArrayBuffer(4 * LAYOUT.reduce((a, b) => a + b));
  const roles: Role[] = [
    { role: 'santa' },
    ...Array.from({ length: REINDEER }, (_, id) => ({ role: 'reindeer' as const, id })),
    ...Array.from({ length: ELVES }, (_, id) => ({ role: 'elf' as const, id })),
  ];
  const threads = roles.map((who) => runWorker(import.meta.url, { twin: 'santa', ...who, params, buffer }));
  const [done, ...others] = await Promise.all(threads);
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

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) console.log(await main());
