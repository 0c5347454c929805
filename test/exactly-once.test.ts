import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_TYPES } from '../src/objects/builtins.ts';
import { TypeRegistry } from '../src/objects/object-type.ts';
import { decode, encode } from '../src/protocol/codec.ts';
import type { EncodedMessage } from '../src/protocol/frame-batch.ts';
import { createLogger } from '../src/server/logger.ts';
import { NodeCore } from '../src/server/node-core.ts';
import { ObjectTable } from '../src/server/object-table.ts';
import { RecordKind } from '../src/server/records.ts';
import type { Call } from '../src/server/object-table.ts';

/** A node core alone (no cluster, no journal) and a sink that records what a client would read. */
function core() {
  const c = new NodeCore({
    table: new ObjectTable(new TypeRegistry(BUILTIN_TYPES)),
    self: 'skein://127.0.0.1:1',
    rf: 1,
    sessionTtlMs: 60_000,
    log: createLogger('silent', 'silent'),
  });
  const replies: unknown[][] = [];
  const sink = { push: (m: EncodedMessage) => replies.push(decode(m.payload) as unknown[]) };
  return { c, replies, sink };
}

const increment = (id: number, key = 'n'): Call => ({ id, type: 'AtomicLong', key, method: 'incrementAndGet', args: [], init: [], forceNew: false, timeoutMs: undefined });

test('a call resent after its record was applied here (this node was its backup) is answered from the kept reply, not applied again', () => {
  const { c, replies, sink } = core();
  // As a backup: the owner's records for calls 1 and 2 of session s.
  c.apply(encode([RecordKind.Call, 'n', 's', 1, 'AtomicLong', 'incrementAndGet', [], [], false]));
  c.apply(encode([RecordKind.Call, 'n', 's', 2, 'AtomicLong', 'incrementAndGet', [], [], false]));
  // The owner died; the client resends call 2 here, then makes call 3.
  const session = c.attach('s', sink, () => 'unused');
  c.call(session, increment(2), sink);
  c.call(session, increment(3), sink);
  assert.deepEqual(replies, [[2, 0, 2], [3, 0, 3]]);
  c.close();
});

test('a call resent on a new connection is answered from the kept reply; one never seen is applied', () => {
  const { c, replies, sink } = core();
  const session = c.attach('s', sink, () => 'unused');
  c.call(session, increment(1), sink);
  c.call(session, increment(2), sink);
  c.detach(session, sink, false);
  const again = c.attach('s', sink, () => 'unused');
  assert.equal(again, session, 'the session resumes');
  c.call(again, increment(2), sink);
  c.call(again, increment(4), sink);
  c.call(again, increment(3), sink); // lower than the highest seen, but never applied: it runs
  assert.deepEqual(replies, [[1, 0, 1], [2, 0, 2], [2, 0, 2], [4, 0, 3], [3, 0, 4]]);
  c.close();
});

test('an acknowledged reply is forgotten; a destroy resent is answered as it was first', () => {
  const { c, replies, sink } = core();
  const session = c.attach('s', sink, () => 'unused');
  c.call(session, increment(1), sink);
  c.destroy(session, 2, 'n', sink);
  c.destroy(session, 2, 'n', sink);
  assert.deepEqual(replies, [[1, 0, 1], [2, 0, true], [2, 0, true]]);
  session.acknowledge([1]);
  assert.equal(session.replies.has(1), false);
  assert.equal(session.replies.has(2), true);
  c.close();
});
