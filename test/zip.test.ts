import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { zip } from '../src/deploy/zip.ts';

interface ReadEntry {
  name: string;
  data: Buffer;
  method: number;
  mode: number;
  time: number;
  date: number;
}

/**
 * Reads a zip the way an unzipper does: the end record, then every central directory entry, then
 * the local header it points at, checking that the two agree and that the CRC-32 matches.
 */
function unzip(archive: Buffer): ReadEntry[] {
  const end = archive.length - 22;
  assert.equal(archive.readUInt32LE(end), 0x06054b50, 'end of central directory record');
  const count = archive.readUInt16LE(end + 10);
  assert.equal(archive.readUInt16LE(end + 8), count);
  const size = archive.readUInt32LE(end + 12);
  let at = archive.readUInt32LE(end + 16);
  assert.equal(at + size, end, 'the directory ends where the end record starts');
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(archive.readUInt32LE(at), 0x02014b50, 'central directory header');
    assert.equal(archive.readUInt16LE(at + 4) >> 8, 3, 'made by Unix');
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressed = archive.readUInt32LE(at + 20);
    const length = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const skip = archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
    const mode = archive.readUInt32LE(at + 38) >>> 16;
    const offset = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    assert.equal(archive.readUInt32LE(offset), 0x04034b50, 'local file header');
    assert.deepEqual(archive.subarray(offset + 4, offset + 28), archive.subarray(at + 6, at + 30), 'local header agrees');
    const start = offset + 30 + nameLength + archive.readUInt16LE(offset + 28);
    assert.equal(archive.subarray(offset + 30, offset + 30 + nameLength).toString('utf8'), name);
    const body = archive.subarray(start, start + compressed);
    assert.ok(method === 0 || method === 8, `method ${method}`);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    assert.equal(data.length, length);
    assert.equal(crc32(data), crc, `CRC-32 of ${name}`);
    entries.push({ name, data, method, mode, time: archive.readUInt16LE(at + 12), date: archive.readUInt16LE(at + 14) });
    at += 46 + nameLength + skip;
  }
  return entries;
}

const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((s) => !/[/\\]/.test(s) && s !== '.' && s !== '..');
const fileName = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const contents = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.tuple(fc.string({ maxLength: 20 }), fc.nat(300)).map(([s, n]) => new Uint8Array(Buffer.from(s.repeat(n)))),
);
const files = fc.uniqueArray(fc.record({ name: fileName, data: contents, mode: fc.constantFrom(0o644, 0o755, 0o600, 0o444) }), {
  selector: (f) => f.name,
  maxLength: 12,
});

test('any set of files reads back with its names, bytes and modes, in order', () => {
  fc.assert(
    fc.property(files, (entries) => {
      const read = unzip(zip(entries));
      assert.deepEqual(
        read.map((e) => ({ name: e.name, data: new Uint8Array(e.data), mode: e.mode & 0o7777 })),
        entries.map((e) => ({ name: e.name, data: e.data, mode: e.mode })),
      );
      for (const e of read) assert.equal(e.mode >> 12, 0o10, 'a regular file');
    }),
    { numRuns: 300 },
  );
});

test('a compressible file is deflated, an incompressible one stored', () => {
  const text = Buffer.from('skein '.repeat(1000));
  const noise = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 167 + 13) & 0xff));
  const archive = zip([{ name: 'text', data: text }, { name: 'noise', data: noise }]);
  assert.ok(archive.length < text.length / 10 + noise.length + 200, `archive of ${archive.length} bytes`);
  const read = unzip(archive);
  assert.deepEqual(read.map((e) => e.method), [8, 0]);
  assert.deepEqual(read.map((e) => e.data), [text, noise]);
});

test('entries carry the DOS time and date of the given local time; files default to 0644', () => {
  const [entry] = unzip(zip([{ name: 'index.mjs', data: Buffer.from('x') }], { date: new Date(2024, 2, 5, 14, 7, 59) }));
  assert.equal(entry!.time, (14 << 11) | (7 << 5) | 29);
  assert.equal(entry!.date, (44 << 9) | (3 << 5) | 5);
  assert.equal(entry!.mode, 0o100644);
});

test('a name that is not a relative /-separated path, or repeats, is refused', () => {
  for (const name of ['', '/etc/passwd', 'a/../b', './a', 'a//b', 'a\\b', 'dir/']) {
    assert.throws(() => zip([{ name, data: new Uint8Array() }]), /bad zip entry name/, name);
  }
  const twice = { name: 'a', data: new Uint8Array() };
  assert.throws(() => zip([twice, twice]), /zip entry 'a' given twice/);
});

test("Python's zipfile reads the archive: names, bytes, CRCs and Unix modes", (t) => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
  } catch {
    t.skip('no python3 here');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'skein-zip-'));
  try {
    const path = join(dir, 'fn.zip');
    const entries = [
      { name: 'index.mjs', data: Buffer.from('export const handler = () => 1;\n'.repeat(50)) },
      { name: 'index.mjs.map', data: Buffer.from('{}') },
      { name: 'bin/tool', data: Buffer.from([0, 1, 2, 255]), mode: 0o755 },
      { name: 'données/é.txt', data: Buffer.alloc(0) },
    ];
    writeFileSync(path, zip(entries));
    const script = [
      'import json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'print(json.dumps([[i.filename, oct(i.external_attr >> 16), z.read(i).hex()] for i in z.infolist()]))',
    ].join('\n');
    const listed = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as string[][];
    assert.deepEqual(
      listed,
      entries.map((e) => [e.name, `0o${(0o100000 | (e.mode ?? 0o644)).toString(8)}`, e.data.toString('hex')]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
