import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ProtocolError } from '../src/errors/protocol-error.ts';
import { FRAME_HEADER_BYTES, frame, FrameDecoder } from '../src/protocol/frame.ts';

/** Cuts `bytes` at the given offsets (any order, duplicates allowed) into chunks. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const to of at) {
    chunks.push(bytes.subarray(from, to));
    from = to;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

const payloads = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 });
const cuts = fc.array(fc.nat(), { maxLength: 40 });

test('the decoder returns every frame, in order, however the stream is split into chunks', () => {
  fc.assert(
    fc.property(payloads, cuts, (sent, at) => {
      const stream = Buffer.concat(sent.map((p) => frame(Buffer.from(p))));
      const largest = Math.max(0, ...sent.map((p) => p.length));
      // The limit is inclusive: a frame exactly at it passes.
      const decoder = new FrameDecoder(largest);
      const got: Buffer[] = [];
      for (const chunk of split(stream, at)) decoder.push(chunk, (payload) => got.push(Buffer.from(payload)));
      assert.deepEqual(got, sent.map((p) => Buffer.from(p)));
    }),
    { numRuns: 500 },
  );
});

test('a chunk boundary inside the length prefix, or byte-by-byte delivery, loses nothing', () => {
  fc.assert(
    fc.property(payloads, (sent) => {
      const stream = Buffer.concat(sent.map((p) => frame(Buffer.from(p))));
      const decoder = new FrameDecoder();
      const got: Buffer[] = [];
      for (let i = 0; i < stream.length; i++) decoder.push(stream.subarray(i, i + 1), (p) => got.push(Buffer.from(p)));
      assert.deepEqual(got, sent.map((p) => Buffer.from(p)));
    }),
    { numRuns: 100 },
  );
});

test('a declared length above the limit throws EFRAME_TOO_LARGE as soon as the prefix is in, after the frames before it', () => {
  fc.assert(
    fc.property(
      payloads,
      fc.integer({ min: 1024, max: 1 << 20 }),
      fc.integer({ min: 1, max: 2 ** 32 - 1 - (1 << 20) }),
      cuts,
      (before, limit, excess, at) => {
        const declared = limit + excess;
        const head = Buffer.alloc(FRAME_HEADER_BYTES);
        head.writeUInt32BE(declared, 0);
        // Only the prefix of the oversize frame is sent: the decoder must not wait for its body.
        const stream = Buffer.concat([...before.map((p) => frame(Buffer.from(p))), head]);
        const decoder = new FrameDecoder(limit);
        const got: Buffer[] = [];
        let thrown: unknown;
        try {
          for (const chunk of split(stream, at)) decoder.push(chunk, (p) => got.push(Buffer.from(p)));
        } catch (err) {
          thrown = err;
        }
        assert.ok(thrown instanceof ProtocolError, `expected a ProtocolError, got ${String(thrown)}`);
        assert.equal(thrown.code, 'EFRAME_TOO_LARGE');
        assert.match(thrown.message, new RegExp(`${declared} bytes exceeds the limit of ${limit}`));
        assert.deepEqual(got, before.map((p) => Buffer.from(p)));
      },
    ),
    { numRuns: 300 },
  );
});
