/**
 * The durable storage of a node's `--data-dir`: an append-only log of opaque records, snapshots of
 * the whole state, and recovery of both after a crash.
 *
 * Files in the directory (integers are little-endian; `N` is the generation, 6 digits or more):
 *
 * ```
 * LOCK                  the pid of the process that has the journal open
 * snapshot-N.skein      the state as of generation N (generation 0 has none: the empty state)
 * log-N.skein           the records appended after snapshot N
 * *.skein.tmp           a file being written; one found at open is a crash's leftover, removed
 * ```
 *
 * Each file starts with a 16-byte header: an 8-byte magic (`SKEINLOG` or `SKEINSNP`), a u32 format
 * version (1) and a u32 generation, which must match the file's name. Then come frames, one per
 * record (log) or item (snapshot):
 *
 * ```
 * [u32 length][u32 CRC32 of the length field and the payload][payload]
 * ```
 *
 * The CRC covers the length so that a zero-filled tail (what some file systems leave after a power
 * loss) does not read as empty records. A snapshot ends with a 16-byte trailer: the magic
 * `SKEINEND`, a u32 item count and a u32 CRC32 of every byte before that CRC; a snapshot without a
 * valid trailer is incomplete.
 *
 * Recovery: the newest complete snapshot wins and the log of its generation continues it. The log
 * is read up to its first torn or corrupt frame and truncated there. Files of older generations,
 * incomplete snapshots and temp files are removed. A snapshot is written to a temp file, fsynced,
 * renamed into place and the directory fsynced; only then is the next generation's empty log
 * created (the same way) and the previous generation's files removed. So a crash at any point
 * leaves the old snapshot and log intact, or the new snapshot complete.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { DataDirError } from '../errors/data-dir-error.ts';

/** Options of {@link Journal.open}. */
export interface JournalOptions {
  /** Directory for the files; created if missing. */
  dir: string;
  /**
   * fdatasync after every commit (survives power loss); default false: a commit is a write(2),
   * which survives the process being killed (SIGKILL) but not the machine.
   */
  fsync?: boolean;
}

/** What {@link Journal.open} found in the directory. */
export interface Recovered {
  /** Items of the latest complete snapshot, in the order they were written ([] if none). */
  snapshot: Uint8Array[];
  /** Records appended after that snapshot, in order, up to the first torn or corrupt one. */
  records: Uint8Array[];
}

/** The largest record or snapshot item, in bytes (256 MiB); a bigger one is a `RangeError`. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

const FORMAT_VERSION = 1;
const HEADER_BYTES = 16;
const FRAME_HEADER_BYTES = 8;
const TRAILER_BYTES = 16;
const LOG_MAGIC = Buffer.from('SKEINLOG');
const SNAPSHOT_MAGIC = Buffer.from('SKEINSNP');
const END_MAGIC = Buffer.from('SKEINEND');
const LOCK_NAME = 'LOCK';
const JOURNAL_FILE = /^(log|snapshot)-(\d+)\.skein(\.tmp)?$/;
/** Snapshot frames are gathered into writes of about this size. */
const SNAPSHOT_WRITE_BYTES = 1 << 20;

type Kind = 'log' | 'snapshot';

/**
 * A node's durable log and snapshots in one directory, held under a lock file while open. Every
 * method is synchronous: the node commits at the end of an event-loop turn, before it replies.
 *
 * ```ts
 * const { journal, recovered } = Journal.open({ dir: '/var/lib/skein' });
 * // rebuild the state from recovered.snapshot, then apply recovered.records in order
 * journal.append(record);
 * journal.commit();                       // durable against a crash of this process
 * if (journal.logBytes > limit) journal.snapshot(stateItems());
 * journal.close();
 * ```
 */
export class Journal {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;
  /** The write failure that left the log in an unknown state; every later call throws. */
  private failure: Error | undefined;

  private constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
    private readonly lockFile: string,
    private generation: number,
    private fd: number,
    private committedBytes: number,
  ) {}

  /**
   * Opens (or creates) the journal in `dir` and recovers what is there: the newest complete
   * snapshot and the records committed after it, up to the first torn or corrupt one (the log is
   * truncated there, so later appends follow the last good record).
   *
   * Throws a {@link DataDirError} naming the path if the directory cannot be created, read or
   * written (`EDATA_DIR`), is locked by another live process (`EDATA_DIR_LOCKED`; a lock left by a
   * dead process is taken over), or holds a file that is not this journal's format or a log newer
   * than every complete snapshot (`EDATA_DIR_FORMAT`; no file is changed then).
   */
  static open(opts: JournalOptions): { journal: Journal; recovered: Recovered } {
    const dir = path.resolve(opts.dir);
    const lockFile = withDirErrors(dir, () => {
      if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) {
        throw new DataDirError(`cannot use data directory ${dir}: it exists and is not a directory`, 'EDATA_DIR');
      }
      fs.mkdirSync(dir, { recursive: true });
      return takeLock(dir);
    });
    try {
      const found = withDirErrors(dir, () => recover(dir, opts.fsync ?? false));
      const journal = new Journal(dir, opts.fsync ?? false, lockFile, found.generation, found.fd, found.logBytes);
      return { journal, recovered: { snapshot: found.snapshot, records: found.records } };
    } catch (err) {
      fs.rmSync(lockFile, { force: true });
      throw err;
    }
  }

  /**
   * Bytes appended to the current log since the last snapshot (frames included, the file header
   * not), counting records buffered but not yet committed. The node snapshots when it grows.
   */
  get logBytes(): number {
    return this.committedBytes + this.pendingBytes;
  }

  /** Records appended and not yet committed (written, and fdatasynced with `fsync`). */
  get uncommitted(): number {
    return this.pending.length;
  }

  /**
   * Buffers one record (any bytes, at most {@link MAX_RECORD_BYTES}). The bytes are copied, so the
   * caller may reuse the array. Not durable until {@link commit}.
   */
  append(record: Uint8Array): void {
    this.checkUsable();
    checkItem(record, 'a journal record');
    const f = frame(record);
    this.pending.push(f);
    this.pendingBytes += f.length;
  }

  /**
   * Writes every buffered record to the log in one synchronous write (and fdatasyncs if `fsync`).
   * When it returns, the records survive a SIGKILL of this process (and a power loss with
   * `fsync`). No-op when nothing is buffered. If the write fails, it throws a {@link DataDirError}
   * and the journal is unusable: reopen it to recover what was committed.
   */
  commit(): void {
    this.checkUsable();
    if (this.pending.length === 0) return;
    try {
      writeAll(this.fd, this.pending);
      if (this.fsync) fs.fdatasyncSync(this.fd);
    } catch (err) {
      throw this.fail(err);
    }
    this.committedBytes += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /**
   * Replaces the state with `items` (the whole state), written synchronously and atomically, then
   * starts a fresh, empty log and removes the files this makes obsolete. Throws if records were
   * appended but not committed. A crash at any point inside leaves, for {@link open}, either the
   * old snapshot and log or the new snapshot and an empty log.
   *
   * An item that is not a Uint8Array (`TypeError`) or is too big (`RangeError`), or a failure
   * while writing the new snapshot, throws and leaves the journal as it was. A failure after the
   * new snapshot is in place throws a {@link DataDirError} and leaves the journal unusable.
   */
  snapshot(items: Iterable<Uint8Array>): void {
    this.checkUsable();
    if (this.pending.length > 0) {
      throw new Error(`snapshot() with ${this.pending.length} records appended but not committed: commit() first`);
    }
    const next = this.generation + 1;
    writeAtomically(this.dir, fileName('snapshot', next), (fd) => writeSnapshot(fd, next, items));
    try {
      syncDir(this.dir);
      const fd = createLog(this.dir, next);
      fs.closeSync(this.fd);
      this.fd = fd;
      removeFiles(this.dir, [fileName('snapshot', this.generation), fileName('log', this.generation)]);
    } catch (err) {
      throw this.fail(err);
    }
    this.generation = next;
    this.committedBytes = 0;
  }

  /**
   * Commits what is buffered, closes the log and releases the lock. Idempotent. After it, every
   * other method throws.
   */
  close(): void {
    if (this.closed) return;
    try {
      if (this.failure === undefined) this.commit();
    } finally {
      this.closed = true;
      fs.closeSync(this.fd);
      fs.rmSync(this.lockFile, { force: true });
    }
  }

  private checkUsable(): void {
    if (this.closed) throw new Error(`the journal in ${this.dir} is closed`);
    if (this.failure !== undefined) {
      throw new Error(`the journal in ${this.dir} failed to write and is unusable; reopen it to recover`, {
        cause: this.failure,
      });
    }
  }

  private fail(err: unknown): Error {
    this.failure = dirError(this.dir, err);
    return this.failure;
  }
}

/** Reads the directory, decides what to keep, then (and only then) cleans it up and opens the log. */
function recover(
  dir: string,
  sync: boolean,
): { generation: number; snapshot: Uint8Array[]; records: Uint8Array[]; fd: number; logBytes: number } {
  const temps: string[] = [];
  const gens: Record<Kind, number[]> = { log: [], snapshot: [] };
  for (const name of fs.readdirSync(dir)) {
    const m = JOURNAL_FILE.exec(name);
    // Only names this journal writes count: `log-1.skein` is not generation 1's log.
    if (!m || name !== fileName(m[1] as Kind, Number(m[2])) + (m[3] ?? '')) continue;
    if (m[3] !== undefined) temps.push(name);
    else gens[m[1] as Kind].push(Number(m[2]));
  }
  gens.snapshot.sort((a, b) => b - a);

  // The newest complete snapshot wins; older ones are obsolete, newer (incomplete) ones crash leftovers.
  let chosen: number | undefined;
  let snapshot: Uint8Array[] = [];
  const obsolete: string[] = [...temps];
  for (const gen of gens.snapshot) {
    if (chosen === undefined) {
      const items = readSnapshot(dir, gen);
      if (items !== undefined) {
        chosen = gen;
        snapshot = items;
        continue;
      }
    } else {
      checkHead(dir, 'snapshot', gen);
    }
    obsolete.push(fileName('snapshot', gen));
  }
  const generation = chosen ?? 0;
  const newer = gens.log.filter((gen) => gen > generation);
  if (newer.length > 0) {
    throw new DataDirError(
      `${path.join(dir, fileName('log', Math.max(...newer)))} is newer than every complete snapshot in ${dir} ` +
        `(its snapshot is missing or incomplete); refusing to recover without it`,
      'EDATA_DIR_FORMAT',
    );
  }
  for (const gen of gens.log.filter((g) => g < generation)) {
    checkHead(dir, 'log', gen);
    obsolete.push(fileName('log', gen));
  }

  let records: Uint8Array[] = [];
  let logEnd = HEADER_BYTES;
  let logLength = HEADER_BYTES;
  const hasLog = gens.log.includes(generation);
  if (hasLog) {
    const file = path.join(dir, fileName('log', generation));
    const buf = fs.readFileSync(file);
    checkHeader(file, buf, LOG_MAGIC, generation);
    ({ items: records, end: logEnd } = readFrames(buf, HEADER_BYTES, buf.length));
    logLength = buf.length;
  }

  removeFiles(dir, obsolete);
  const fd = hasLog ? fs.openSync(path.join(dir, fileName('log', generation)), 'a') : createLog(dir, generation);
  try {
    if (logEnd < logLength) {
      fs.ftruncateSync(fd, logEnd);
      if (sync) fs.fdatasyncSync(fd);
    }
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return { generation, snapshot, records, fd, logBytes: logEnd - HEADER_BYTES };
}

/**
 * The items of `snapshot-<gen>.skein`, or undefined if it is incomplete (cut short, no valid
 * trailer). Throws if it is not a snapshot file of this format and generation.
 */
function readSnapshot(dir: string, gen: number): Uint8Array[] | undefined {
  const file = path.join(dir, fileName('snapshot', gen));
  const buf = fs.readFileSync(file);
  if (buf.length < HEADER_BYTES && header(SNAPSHOT_MAGIC, gen).subarray(0, buf.length).equals(buf)) return undefined;
  checkHeader(file, buf, SNAPSHOT_MAGIC, gen);
  if (buf.length < HEADER_BYTES + TRAILER_BYTES) return undefined;
  const t = buf.length - TRAILER_BYTES;
  if (!buf.subarray(t, t + END_MAGIC.length).equals(END_MAGIC)) return undefined;
  if (crc32(buf.subarray(0, t + 12)) !== buf.readUInt32LE(t + 12)) return undefined;
  const { items, end } = readFrames(buf, HEADER_BYTES, t);
  return end === t && items.length === buf.readUInt32LE(t + 8) ? items : undefined;
}

/**
 * Reads frames from `buf[start, end)` up to the first torn or corrupt one; answers their payloads
 * (views into `buf`, not copies) and where the last good frame ends.
 */
function readFrames(buf: Buffer, start: number, end: number): { items: Uint8Array[]; end: number } {
  const items: Uint8Array[] = [];
  let at = start;
  while (at + FRAME_HEADER_BYTES <= end) {
    const length = buf.readUInt32LE(at);
    const next = at + FRAME_HEADER_BYTES + length;
    if (length > MAX_RECORD_BYTES || next > end) break;
    const payload = buf.subarray(at + FRAME_HEADER_BYTES, next);
    if (crc32(payload, crc32(buf.subarray(at, at + 4))) !== buf.readUInt32LE(at + 4)) break;
    items.push(new Uint8Array(payload.buffer, payload.byteOffset, length));
    at = next;
  }
  return { items, end: at };
}

/** One frame: `[u32 length][u32 CRC32 of length and payload][payload]`, a copy of `payload`. */
function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.set(payload, FRAME_HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(FRAME_HEADER_BYTES), crc32(out.subarray(0, 4))), 4);
  return out;
}

function header(magic: Buffer, gen: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  magic.copy(out, 0);
  out.writeUInt32LE(FORMAT_VERSION, 8);
  out.writeUInt32LE(gen, 12);
  return out;
}

/** Throws unless `buf` starts with the header of a `magic` file of this version and generation. */
function checkHeader(file: string, buf: Buffer, magic: Buffer, gen: number): void {
  if (buf.length < HEADER_BYTES || !buf.subarray(0, magic.length).equals(magic)) {
    throw new DataDirError(
      `${file} is not a Skein journal file (it does not start with ${magic.toString()}); refusing to read or replace it`,
      'EDATA_DIR_FORMAT',
    );
  }
  const version = buf.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    throw new DataDirError(
      `${file} is in journal format version ${version}; this Skein reads version ${FORMAT_VERSION}`,
      'EDATA_DIR_FORMAT',
    );
  }
  if (buf.readUInt32LE(12) !== gen) {
    throw new DataDirError(
      `${file} holds generation ${buf.readUInt32LE(12)}, not the ${gen} of its name; was it renamed or copied?`,
      'EDATA_DIR_FORMAT',
    );
  }
}

/** {@link checkHeader} on the first bytes of a file about to be removed as obsolete. */
function checkHead(dir: string, kind: Kind, gen: number): void {
  const file = path.join(dir, fileName(kind, gen));
  const buf = Buffer.alloc(HEADER_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    const n = fs.readSync(fd, buf, 0, HEADER_BYTES, 0);
    checkHeader(file, buf.subarray(0, n), kind === 'log' ? LOG_MAGIC : SNAPSHOT_MAGIC, gen);
  } finally {
    fs.closeSync(fd);
  }
}

function writeSnapshot(fd: number, gen: number, items: Iterable<Uint8Array>): void {
  const head = header(SNAPSHOT_MAGIC, gen);
  let crc = crc32(head);
  let count = 0;
  let batch: Buffer[] = [head];
  let batchBytes = head.length;
  for (const item of items) {
    checkItem(item, `snapshot item ${count}`);
    const f = frame(item);
    crc = crc32(f, crc);
    count++;
    batch.push(f);
    batchBytes += f.length;
    if (batchBytes >= SNAPSHOT_WRITE_BYTES) {
      writeAll(fd, batch);
      batch = [];
      batchBytes = 0;
    }
  }
  const trailer = Buffer.allocUnsafe(TRAILER_BYTES);
  END_MAGIC.copy(trailer, 0);
  trailer.writeUInt32LE(count, 8);
  trailer.writeUInt32LE(crc32(trailer.subarray(0, 12), crc), 12);
  batch.push(trailer);
  writeAll(fd, batch);
}

/** Creates the empty `log-<gen>.skein` atomically and durably; answers it opened for appending. */
function createLog(dir: string, gen: number): number {
  const name = fileName('log', gen);
  writeAtomically(dir, name, (fd) => writeAll(fd, [header(LOG_MAGIC, gen)]));
  syncDir(dir);
  return fs.openSync(path.join(dir, name), 'a');
}

/**
 * Writes `name` through a temp file: `write` fills it, it is fsynced and renamed into place (the
 * caller fsyncs the directory). If anything fails before the rename, the temp file is removed and
 * `name` is untouched.
 */
function writeAtomically(dir: string, name: string, write: (fd: number) => void): void {
  const tmp = path.join(dir, `${name}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      write(fd);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(dir, name));
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Writes all of `chunks`, going on after short writes. */
function writeAll(fd: number, chunks: Uint8Array[]): void {
  let rest = chunks;
  while (rest.length > 0) {
    let written = fs.writevSync(fd, rest);
    let i = 0;
    while (i < rest.length && written >= rest[i]!.length) written -= rest[i++]!.length;
    rest = i < rest.length ? [rest[i]!.subarray(written), ...rest.slice(i + 1)] : [];
  }
}

/** Makes renames, creations and removals in `dir` durable. */
function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function removeFiles(dir: string, names: string[]): void {
  for (const name of names) fs.rmSync(path.join(dir, name), { force: true });
}

function fileName(kind: Kind, gen: number): string {
  return `${kind}-${String(gen).padStart(6, '0')}.skein`;
}

/**
 * Creates `dir/LOCK` holding this process's pid. A lock whose pid is no longer alive is taken
 * over. Two processes taking over the same stale lock at the same moment can both succeed (Node
 * has no flock); starting two nodes on one directory at once after a crash is not guarded.
 */
function takeLock(dir: string): string {
  const file = path.join(dir, LOCK_NAME);
  for (let tries = 0; ; tries++) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, `${process.pid}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return file;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue; // its holder just released it
      throw err;
    }
    const pid = /^[1-9]\d*\n$/.test(text) ? Number(text) : undefined;
    if (pid === undefined) {
      throw new DataDirError(
        `${file} holds no pid (a node may be taking the lock right now, or crashed while taking it); ` +
          `if no node uses ${dir}, remove ${file}`,
        'EDATA_DIR_LOCKED',
      );
    }
    if (tries > 0 || isAlive(pid)) {
      throw new DataDirError(`${dir} is in use by process ${pid} (lock file ${file})`, 'EDATA_DIR_LOCKED');
    }
    fs.rmSync(file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

function checkItem(item: unknown, what: string): asserts item is Uint8Array {
  if (!(item instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array, not ${item === null ? 'null' : typeof item}`);
  }
  if (item.length > MAX_RECORD_BYTES) {
    throw new RangeError(`${what} is ${item.length} bytes; the limit is ${MAX_RECORD_BYTES}`);
  }
}

/** Runs `f`, turning a system error (EACCES, ENOTDIR, ENOSPC, ...) into an `EDATA_DIR` error. */
function withDirErrors<T>(dir: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw dirError(dir, err);
  }
}

function dirError(dir: string, err: unknown): Error {
  if (err instanceof DataDirError || !isErrno(err)) return err as Error;
  return new DataDirError(`cannot use data directory ${dir}: ${err.message}`, 'EDATA_DIR', { cause: err });
}

function isErrno(err: unknown, code?: string): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' &&
    (code === undefined || (err as NodeJS.ErrnoException).code === code);
}
