import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeArg, decodeEnvelope, decodeThreadResult, encodeEnvelope, encodeThreadResult } from '../src/runtime/envelope.ts';

// Backends post these bytes to worker threads and child processes, which copy the whole
// ArrayBuffer behind a view: the codec's working buffer is 8 KiB or more, the messages are tens
// of bytes.
test('an encoded envelope owns a buffer of exactly its size, and decodes back', () => {
  const bytes = encodeEnvelope({ v: 1, threadId: '7-1', module: 'file:///app.ts', task: 'square', arg: { n: 3 } });
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, bytes.length);
  const env = decodeEnvelope(bytes);
  assert.equal(env.task, 'square');
  assert.deepEqual(decodeArg(env), { n: 3 });
});

test('an encoded outcome owns a buffer of exactly its size, and decodes back', () => {
  for (const outcome of [
    { ok: true, value: [1, 'two'] },
    { ok: false, name: 'RangeError', message: 'no', stack: 'RangeError: no', final: true },
  ] as const) {
    const bytes = encodeThreadResult(outcome);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, bytes.length);
    assert.deepEqual(decodeThreadResult(bytes), outcome);
  }
});
