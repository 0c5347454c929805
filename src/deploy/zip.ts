import { crc32, deflateRawSync } from 'node:zlib';

/** One file of a {@link zip} archive. */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated and relative (`index.mjs`, `lib/a.js`). */
  name: string;
  /** The file's bytes. */
  data: Uint8Array;
  /** Unix permission bits (default `0o644`: readable by the Lambda runtime's user). */
  mode?: number;
}

/** Largest count and size a zip without the zip64 extension can describe. */
const MAX_ENTRIES = 0xffff;
const MAX_BYTES = 0xffffffff;
/** Version 2.0 (deflate); "made by" Unix, so readers honour the permission bits. */
const VERSION = 20;
const MADE_BY_UNIX = (3 << 8) | VERSION;
/** General-purpose flag bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
const STORED = 0;
const DEFLATED = 8;
const S_IFREG = 0o100000;

/**
 * Writes a zip archive of regular files in memory: each entry deflated (stored when deflate does
 * not make it smaller), with its CRC-32, a DOS timestamp from `date` (local time; default now)
 * and its Unix mode in the external attributes. No zip64: at most 65535 entries and 4 GiB.
 * Throws on a name that is empty, absolute, has `\`, `.` or `..` segments, or repeats.
 */
export function zip(entries: readonly ZipEntry[], { date = new Date() }: { date?: Date } = {}): Buffer {
  if (entries.length > MAX_ENTRIES) throw new RangeError(`a zip holds at most ${MAX_ENTRIES} entries`);
  const [time, day] = dosDateTime(date);
  const seen = new Set<string>();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data, mode = 0o644 } of entries) {
    checkName(name, seen);
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = deflateRawSync(data);
    const method = deflated.length < data.length ? DEFLATED : STORED;
    const body = method === DEFLATED ? deflated : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (data.length > MAX_BYTES || offset > MAX_BYTES) throw new RangeError('a zip without zip64 holds at most 4 GiB');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(day, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    local.copy(central, 6, 4, 30); // version needed .. name length are the same fields
    central.writeUInt32LE(((S_IFREG | (mode & 0o7777)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  if (offset + directory.length > MAX_BYTES) throw new RangeError('a zip without zip64 holds at most 4 GiB');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** MS-DOS time and date words; DOS dates start in 1980 and count seconds in twos. */
function dosDateTime(d: Date): [time: number, date: number] {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return [
    (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  ];
}

function checkName(name: string, seen: Set<string>): void {
  const segments = name.split('/');
  if (name === '' || name.startsWith('/') || name.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`bad zip entry name '${name}': use a relative path with / separators`);
  }
  if (seen.has(name)) throw new Error(`zip entry '${name}' given twice`);
  seen.add(name);
}
