/**
 * The Santa Claus problem (Trono, 1994) as shared by examples/santa.ts and its worker_threads twin:
 * what Santa, the reindeer and the elves do, written against the synchronisation objects they
 * share (each program brings its own implementation of them), and the invariants of a run.
 *
 * Santa sleeps until either all nine reindeer are back from holiday or three elves need help. The
 * reindeer come first: he harnesses all nine, delivers the toys and unharnesses them. Otherwise he
 * shows the three elves into his study, helps them, and shows them out. The objects, after Peyton
 * Jones's version in "Beautiful concurrency" (as Crucial's port): a Group gathers a full team (9
 * reindeer, 3 elves) and names it by a generation; a Gate lets exactly that team through, once per
 * member; Santa's door wakes him and picks the team, reindeer first. A shared clock stamps the
 * moments the invariants are checked against.
 */

/** Reindeer pulling the sleigh. */
export const REINDEER = 9;
/** Elves making toys. */
export const ELVES = 10;
/** Elves Santa helps at once. */
export const ELF_GROUP = 3;

/** A value, or a promise of it: the twin's objects answer at once, Skein's over the network. */
type Answer<T> = T | Promise<T>;

/** Who is at Santa's door. */
export type Team = 'reindeer' | 'elves';

/** A place in a group: the generation of the team it belongs to, and whether it completed it. */
export interface Ticket {
  generation: number;
  last: boolean;
}

/** A complete team as Santa takes it from its group. */
export interface Gathered {
  generation: number;
  members: number[];
}

/** Why Santa woke: the team he chose, and who was waiting when he chose. */
export interface Wake {
  choice: Team;
  reindeerReady: boolean;
  elfGroupsReady: number;
}

/**
 * Gathers a fixed number of teams of a fixed size. A member waits while the current team is full
 * and not taken; once every team has formed, it is turned away (`null`).
 */
export interface Group {
  join(id: number): Answer<Ticket | null>;
  /** Waits for a full team, takes it, and starts the next one. */
  take(): Answer<Gathered>;
}

/** Lets one team through, each member once. */
export interface Gate {
  /** Waits until the gate opens for team `generation`, then passes. */
  pass(generation: number, id: number): Answer<void>;
  /** Opens the gate for team `generation` and waits until all of it passed; answers who, in order. */
  operate(generation: number): Answer<number[]>;
}

/** Where the last member of a team wakes Santa. */
export interface SantaDoor {
  ring(team: Team): Answer<void>;
  /** Waits until a team is ready and picks one: the reindeer whenever they are. */
  sleep(): Answer<Wake>;
}

/** A counter every thread can tick: orders events across threads. */
export interface Clock {
  incrementAndGet(): Answer<number>;
}

/** Everything the threads share. */
export interface Workshop {
  reindeer: Group;
  elves: Group;
  harness: Gate;
  unharness: Gate;
  studyIn: Gate;
  studyOut: Gate;
  door: SantaDoor;
  clock: Clock;
}

/** One Christmas: who was harnessed (in order) and the clock around the delivery. */
export interface Delivery {
  kind: 'deliver';
  year: number;
  wake: Wake;
  team: Gathered;
  harnessed: number[];
  start: number;
  end: number;
}

/** One consultation: the group of elves, who entered the study (in order), and the clock around it. */
export interface Help {
  kind: 'help';
  wake: Wake;
  team: Gathered;
  helped: number[];
  start: number;
  end: number;
}

/** A reindeer on the sleigh (between its harness and unharness gates) with team `generation`. */
export interface Ride {
  reindeer: number;
  generation: number;
  at: number;
}

/** An elf in Santa's study (between its study gates). */
export interface Consult {
  elf: number;
  generation: number;
  at: number;
}

/** A run: Santa's activities in order, every ride and every consultation. */
export interface SantaRun {
  santa: Array<Delivery | Help>;
  rides: Ride[];
  consults: Consult[];
}

/**
 * How long to run: `years` Christmases, and `elfGroups` times Santa helps a group of elves
 * (default: as many as years). Fixed counts make every run do the same work.
 */
export interface SantaParams {
  years: number;
  elfGroups?: number;
}

/** The parameters with the default filled in; a RangeError if they make no run. */
export function santaParams({ years, elfGroups = years }: SantaParams): Required<SantaParams> {
  if (!Number.isSafeInteger(years) || years < 1) throw new RangeError(`years must be a positive integer, got ${years}`);
  if (!Number.isSafeInteger(elfGroups) || elfGroups < 0) throw new RangeError(`elfGroups must be an integer >= 0, got ${elfGroups}`);
  return { years, elfGroups };
}

/** Santa: serves the teams, reindeer first, until he delivered `years` times and helped `elfGroups` groups. */
export async function santa(w: Workshop, { years, elfGroups }: Required<SantaParams>): Promise<Array<Delivery | Help>> {
  const done: Array<Delivery | Help> = [];
  let year = 0;
  let helps = 0;
  while (year < years || helps < elfGroups) {
    const wake = await w.door.sleep();
    if (wake.choice === 'reindeer') {
      const team = await w.reindeer.take();
      const start = await w.clock.incrementAndGet();
      const harnessed = await w.harness.operate(team.generation);
      await w.unharness.operate(team.generation);
      done.push({ kind: 'deliver', year: ++year, wake, team, harnessed, start, end: await w.clock.incrementAndGet() });
    } else {
      const team = await w.elves.take();
      const start = await w.clock.incrementAndGet();
      const helped = await w.studyIn.operate(team.generation);
      await w.studyOut.operate(team.generation);
      helps++;
      done.push({ kind: 'help', wake, team, helped, start, end: await w.clock.incrementAndGet() });
    }
  }
  return done;
}

/** Reindeer `id`: comes back from holiday to pull the sleigh, until the last year's team has formed. */
export async function reindeer(w: Workshop, id: number): Promise<Ride[]> {
  const rides: Ride[] = [];
  for (let ticket = await w.reindeer.join(id); ticket; ticket = await w.reindeer.join(id)) {
    const { generation, last } = ticket;
    if (last) await w.door.ring('reindeer');
    await w.harness.pass(generation, id);
    rides.push({ reindeer: id, generation, at: await w.clock.incrementAndGet() });
    await w.unharness.pass(generation, id);
  }
  return rides;
}

/** Elf `id`: needs Santa's help again and again, until the elves' last group has formed. */
export async function elf(w: Workshop, id: number): Promise<Consult[]> {
  const consults: Consult[] = [];
  for (let ticket = await w.elves.join(id); ticket; ticket = await w.elves.join(id)) {
    const { generation, last } = ticket;
    if (last) await w.door.ring('elves');
    await w.studyIn.pass(generation, id);
    consults.push({ elf: id, generation, at: await w.clock.incrementAndGet() });
    await w.studyOut.pass(generation, id);
  }
  return consults;
}

const sorted = (ids: readonly number[]): string => [...ids].sort((a, b) => a - b).join(',');
const everyone = (n: number): string => sorted(Array.from({ length: n }, (_, i) => i));

/**
 * The invariants of a run, as a list of violations (empty when the run is correct): Santa delivers
 * exactly `years` times, in order, each time with all nine reindeer harnessed before he leaves and
 * riding only then; he helps `elfGroups` groups of elves, each of exactly three, never while he
 * delivers and never while all the reindeer are waiting; an elf is in the study only with its group.
 */
export function checkSanta(run: SantaRun, params: SantaParams): string[] {
  const { years, elfGroups } = santaParams(params);
  const bad: string[] = [];
  const deliveries = run.santa.filter((a): a is Delivery => a.kind === 'deliver');
  const helps = run.santa.filter((a): a is Help => a.kind === 'help');
  if (deliveries.length !== years) bad.push(`${deliveries.length} deliveries in ${years} years`);
  let previousEnd = 0;
  for (const a of run.santa) {
    if (!(a.start > previousEnd && a.end > a.start)) bad.push(`Santa's activities overlap at clock ${a.start}`);
    previousEnd = a.end;
  }
  deliveries.forEach((d, i) => {
    if (d.year !== i + 1) bad.push(`delivery ${i + 1} is numbered ${d.year}`);
    if (d.wake.choice !== 'reindeer') bad.push(`year ${d.year}: Santa delivered after waking for the ${d.wake.choice}`);
    if (sorted(d.team.members) !== everyone(REINDEER)) bad.push(`year ${d.year}: team ${sorted(d.team.members)}`);
    if (sorted(d.harnessed) !== everyone(REINDEER)) bad.push(`year ${d.year}: delivered with ${sorted(d.harnessed)} harnessed`);
    const riders = run.rides.filter((r) => r.generation === d.team.generation && r.at > d.start && r.at < d.end);
    if (sorted(riders.map((r) => r.reindeer)) !== everyone(REINDEER)) bad.push(`year ${d.year}: riders ${sorted(riders.map((r) => r.reindeer))}`);
  });
  if (run.rides.length !== REINDEER * years) bad.push(`${run.rides.length} rides, expected ${REINDEER * years}`);
  for (const h of helps) {
    const group = sorted(h.team.members);
    if (new Set(h.team.members).size !== ELF_GROUP || h.team.members.some((e) => !(e >= 0 && e < ELVES))) bad.push(`a group of elves ${group}`);
    if (sorted(h.helped) !== group) bad.push(`group ${group} but ${sorted(h.helped)} entered the study`);
    if (h.wake.choice !== 'elves') bad.push(`Santa helped elves ${group} after waking for the ${h.wake.choice}`);
    if (h.wake.reindeerReady) bad.push(`Santa helped elves ${group} while all the reindeer waited`);
    const inStudy = run.consults.filter((c) => c.generation === h.team.generation && c.at > h.start && c.at < h.end);
    if (sorted(inStudy.map((c) => c.elf)) !== group) bad.push(`group ${group} but ${sorted(inStudy.map((c) => c.elf))} consulted`);
  }
  if (helps.length !== elfGroups) bad.push(`${helps.length} elf groups helped, expected ${elfGroups}`);
  if (run.consults.length !== ELF_GROUP * elfGroups) bad.push(`${run.consults.length} consultations, expected ${ELF_GROUP * elfGroups}`);
  for (const c of run.consults) {
    const during = deliveries.find((d) => c.at > d.start && c.at < d.end);
    if (during) bad.push(`elf ${c.elf} was in the study while Santa delivered in year ${during.year}`);
  }
  return bad;
}
