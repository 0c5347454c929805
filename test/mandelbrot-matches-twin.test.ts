import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { runMandelbrot as twinMandelbrot } from '../bench/twins/mandelbrot.ts';
import { MandelbrotImage, runMandelbrot } from '../examples/mandelbrot.ts';
import { crc32, encodePng, PNG_SIGNATURE } from '../examples/lib/png.ts';
import { runSkein, stopSkeins } from './support/node.ts';
import { useAppNode } from './support/app-node.ts';

// Uneven blocks (3 workers over 61 rows), and a width that is not a multiple of anything.
const PARAMS = { width: 97, height: 61, maxIterations: 40, workers: 3 };

useAppNode({ objects: [MandelbrotImage] });
const dir = mkdtempSync(join(tmpdir(), 'skein-mandelbrot-'));
after(async () => {
  await stopSkeins();
  rmSync(dir, { recursive: true, force: true });
});

/** The chunks of a PNG file after its signature, each CRC checked. */
function chunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  const out = [];
  for (let at = PNG_SIGNATURE.length; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `CRC of ${type}`);
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

test('crc32 is the CRC-32 PNG uses', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('the Skein image equals the worker_threads twin image, pixel for pixel and PNG byte for byte', async () => {
  const [pixels, twin] = await Promise.all([runMandelbrot(PARAMS), twinMandelbrot(PARAMS)]);
  assert.equal(pixels.length, PARAMS.width * PARAMS.height);
  assert.ok(Buffer.from(pixels).equals(Buffer.from(twin)), 'the pixels differ');
  // Both inside (black) and escaping points are in the picture.
  assert.ok(pixels.includes(0) && pixels.some((p) => p > 100));
  const png = encodePng(pixels, PARAMS.width, PARAMS.height);
  assert.ok(png.equals(encodePng(twin, PARAMS.width, PARAMS.height)));
});

test('the PNG decodes: signature, IHDR with the size, IDAT inflating to one filtered scanline per row', async () => {
  const { width, height } = PARAMS;
  const pixels = await runMandelbrot(PARAMS);
  const png = encodePng(pixels, width, height);
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE));
  const [ihdr, idat, iend, ...rest] = chunks(png);
  assert.deepEqual([ihdr?.type, idat?.type, iend?.type, rest.length], ['IHDR', 'IDAT', 'IEND', 0]);
  assert.equal(ihdr!.data.length, 13);
  assert.deepEqual([ihdr!.data.readUInt32BE(0), ihdr!.data.readUInt32BE(4), ihdr!.data[8], ihdr!.data[9]], [width, height, 8, 0]);
  const raw = inflateSync(idat!.data);
  assert.equal(raw.length, height * (width + 1));
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width + 1)], 0, `filter byte of row ${y}`);
    assert.ok(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)).equals(Buffer.from(pixels.subarray(y * width, (y + 1) * width))));
  }
});

test('skein run examples/mandelbrot.ts writes the same PNG to OUT and prints its path and size', { timeout: 30_000 }, async () => {
  const out = join(dir, 'small.png');
  const { code, stdout, stderr } = await runSkein(['run', 'examples/mandelbrot.ts'], {
    SKEIN_DSO: undefined,
    SKEIN_TOKEN: undefined,
    WIDTH: String(PARAMS.width),
    HEIGHT: String(PARAMS.height),
    ITERATIONS: String(PARAMS.maxIterations),
    OUT: out,
  });
  assert.equal(code, 0, stderr);
  const png = readFileSync(out);
  assert.ok(stdout.includes(`wrote ${out} (${png.length} bytes)`), stdout);
  assert.ok(png.equals(encodePng(await twinMandelbrot(PARAMS), PARAMS.width, PARAMS.height)));
});
