/**
 * The history a fault run leaves behind: JSON lines, one record a line, written by each client
 * driver process and by the run itself (its faults, its final reads, what each member holds).
 * The checker reads nothing else, so a run can be checked again from its files alone.
 *
 * Times are milliseconds of the system's monotonic clock (`process.hrtime`, CLOCK_MONOTONIC on
 * Linux), which every process on the machine reads alike: invocations and returns of different
 * processes, and the faults, are ordered by them.
 */
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Now, in milliseconds of the machine-wide monotonic clock (comparable across processes). */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The object kinds the drivers use. */
export type ObjectKind = 'AtomicLong' | 'AtomicReference' | 'SharedMap';

/**
 * The operations recorded: `incrementAndGet`/`get` on an AtomicLong; `set`/`get` on an
 * AtomicReference (every `set` writes a value no other operation writes); `merge` (by 1, with
 * 'sum') and `get` on one field of a SharedMap; `destroy` on any object.
 */
export type OpName = 'incrementAndGet' | 'get' | 'set' | 'merge' | 'destroy';

/** How an operation ended, as its client saw it. */
export type Outcome =
  /** Acknowledged: the call was applied and `value` is its result. */
  | 'ok'
  /** An error reply: the call was not applied; `code` says why. */
  | 'failed'
  /** In doubt: the client gave up (lost connection, timeout) and cannot know if it was applied. */
  | 'unknown';

/** One operation, recorded when it ended. */
export interface OpRecord {
  type: 'op';
  /** Which client (driver process, or `control` for the run's own calls). */
  client: string;
  object: ObjectKind;
  key: string;
  /** The SharedMap field (`merge`, `get` on a map). */
  field?: string;
  f: OpName;
  /** The argument: the value a register `set` writes. */
  arg?: unknown;
  invoked: number;
  /** When it returned; null for an outcome in doubt (it may take effect at any later time). */
  returned: number | null;
  outcome: Outcome;
  /** The result of an acknowledged call. */
  value?: unknown;
  /** The error code of a failed call (for `EREMOTE`, the remote one after a slash). */
  code?: string;
  /** A read made after the load ended and the cluster settled: it gives the final value. */
  final?: boolean;
}

/** A fault the run injected, for the report (and the unavailability it explains). */
export interface FaultRecord {
  type: 'fault';
  fault: string;
  /** What was done to which member, e.g. `SIGSTOP skein://127.0.0.1:4100`. */
  detail: string;
  at: number;
}

/**
 * Every copy of `key` was gone at `at` (the members holding it were killed): from then on calls
 * on it must fail with `EOBJECT_LOST`, never answer from a re-created object.
 */
export interface LostRecord {
  type: 'lost';
  key: string;
  at: number;
}

/** An operator accepted the loss of `key` at `at` (`skein admin forget-lost`): it may be created anew. */
export interface ForgottenRecord {
  type: 'forgotten';
  key: string;
  at: number;
}

/**
 * What each live member holds for `key` once the run settled: its state as `describe` shows it,
 * null where the member holds no copy.
 */
export interface CopiesRecord {
  type: 'copies';
  key: string;
  copies: { member: string; state: unknown }[];
  at: number;
}

/** The keys the cluster listed (`client.keys()`) once the run settled. */
export interface KeysRecord {
  type: 'keys';
  keys: string[];
  at: number;
}

/** Any line of a history. */
export type HistoryRecord = OpRecord | FaultRecord | LostRecord | ForgottenRecord | CopiesRecord | KeysRecord;

/** Appends records to a JSON-lines file, one synchronous write each (a crash loses no finished line). */
export class HistoryWriter {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  /** Appends one record. */
  write(record: HistoryRecord): void {
    if (this.fd === undefined) throw new Error(`history ${this.path} is closed`);
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  /** Closes the file; later writes throw. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads every `*.jsonl` file of `dir` into one list of records (file order, then line order). */
export function readHistories(dir: string): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const line of text.split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as HistoryRecord);
  }
  return records;
}
