import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decode, encode } from '../src/protocol/codec.ts';
import { FRAME_HEADER_BYTES, FrameDecoder } from '../src/protocol/frame.ts';
import { EncodedMessage, FrameBatch } from '../src/protocol/frame-batch.ts';

/** Messages as the wire carries them: `[id, ...values]` with ids from 1. */
const messages = fc
  .array(fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 40 }), fc.double(), fc.constant(null)), { maxLength: 6 }), {
    maxLength: 70,
  })
  .map((ms) => ms.map((m, i) => [i + 1, ...m]));

/** Reads the frames back: each must be one whole frame whose payload is an array within `max`. */
function readBack(frames: Buffer[], max: number): unknown[][] {
  const out: unknown[][] = [];
  for (const f of frames) {
    assert.equal(f.readUInt32BE(0), f.length - FRAME_HEADER_BYTES, 'the length prefix is the payload size');
    assert.ok(f.length - FRAME_HEADER_BYTES <= max, 'no frame is over the limit');
    const decoder = new FrameDecoder(max);
    let payloads = 0;
    decoder.push(f, (payload) => {
      payloads++;
      const batch = decode(payload);
      assert.ok(Array.isArray(batch) && batch.length > 0);
      out.push(...(batch as unknown[][]));
    });
    assert.equal(payloads, 1);
  }
  return out;
}

test('a batch comes out as frames of arrays, in order, each within the limit; a message too large alone is reported', () => {
  fc.assert(
    fc.property(messages, fc.integer({ min: 8, max: 2000 }), (sent, max) => {
      const batch = new FrameBatch();
      for (const m of sent) batch.push(new EncodedMessage(m[0] as number, m));
      const { frames, tooLarge } = batch.take(max);
      assert.equal(batch.length, 0);
      // Compared with each message's own round trip: msgpack itself turns -0 into 0.
      const fits = sent.filter((m) => encode([m]).length <= max).map((m) => decode(encode(m)));
      assert.deepEqual(readBack(frames, max), fits);
      assert.deepEqual(tooLarge.map((m) => m.id), sent.filter((m) => encode([m]).length > max).map((m) => m[0]));
      // Filled greedily: a frame is cut only where the next message would not fit in it.
      const groups = frames.map((f) => readBack([f], max));
      for (let i = 0; i + 1 < groups.length; i++) {
        assert.ok(encode([...groups[i]!, groups[i + 1]![0]]).length > max, `frame ${i} had room for the next message`);
      }
    }),
    { numRuns: 300 },
  );
});

test('a message is encoded when it is queued: later changes to its values do not reach the frame', () => {
  const list = [1, 2];
  const batch = new FrameBatch();
  batch.push(new EncodedMessage(1, [1, 0, list]));
  list.push(3);
  batch.push(new EncodedMessage(2, [2, 0, list]));
  assert.deepEqual(readBack(batch.take(1 << 20).frames, 1 << 20), [
    [1, 0, [1, 2]],
    [2, 0, [1, 2, 3]],
  ]);
});

test('array headers of every size class: 15, 16, 65535 and 65536 messages in one frame', () => {
  for (const n of [1, 15, 16, 0xffff, 0x10000]) {
    const batch = new FrameBatch();
    for (let i = 1; i <= n; i++) batch.push(new EncodedMessage(i, i));
    const { frames } = batch.take(1 << 24);
    assert.equal(frames.length, 1);
    const got = readBack(frames, 1 << 24) as unknown as number[];
    assert.equal(got.length, n);
    assert.equal(got[0], 1);
    assert.equal(got[n - 1], n);
  }
});
