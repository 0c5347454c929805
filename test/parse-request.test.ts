import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../src/errors/protocol-error.ts';
import { Op } from '../src/protocol/messages.ts';
import { MalformedRequest, parseRequest } from '../src/protocol/parse-request.ts';

/** Asserts `req` is refused under `id` with an `EPROTO` error whose message matches `why`. */
function refused(req: unknown, id: number, why: RegExp): void {
  const parsed = parseRequest(req);
  assert.ok(parsed instanceof MalformedRequest, `expected a refusal of ${JSON.stringify(req)}`);
  assert.equal(parsed.id, id);
  assert.ok(parsed.error instanceof ProtocolError);
  assert.equal(parsed.error.code, 'EPROTO');
  assert.match(parsed.error.message, why);
}

test('every well-formed request kind is answered as the array it came in', () => {
  const requests: unknown[][] = [
    [Op.Call, 1, 'AtomicLong', 'k', 'get', []],
    [Op.Call, 2, 'AtomicLong', 'k', 'addAndGet', [1], [0], true, 0],
    [Op.Call, 3, 'AtomicLong', 'k', 'get', [], null, null, null],
    [Op.Call, 4, 'CyclicBarrier', 'b', 'await', [], [2], false, 2 ** 31 - 1],
    [Op.Destroy, 5, 'k'],
    [Op.Keys, 6, 'pre'],
    [Op.Ping, 7],
    [Op.Info, 8],
    [Op.Describe, 9, 'k'],
    [Op.Topology, 10],
    [Op.Ack, [1, 2, 3]],
    [Op.Bye],
    // Fields past those a kind uses are ignored.
    [Op.Ping, 11, 'extra', { more: 1 }],
  ];
  for (const req of requests) assert.equal(parseRequest(req), req);
});

test('a keys request without a prefix lists every key', () => {
  assert.deepEqual(parseRequest([Op.Keys, 1]), [Op.Keys, 1, '']);
  assert.deepEqual(parseRequest([Op.Keys, 2, null]), [Op.Keys, 2, '']);
});

test('an ack keeps only the ids that are numbers; one without an id list is a notice', () => {
  assert.deepEqual(parseRequest([Op.Ack, [1, 'two', null, 3, [4]]]), [Op.Ack, [1, 3]]);
  assert.deepEqual(parseRequest([Op.Ack, []]), [Op.Ack, []]);
  for (const ids of [7, 'ids', null, { 0: 1 }]) refused([Op.Ack, ids], 0, /an ack is \[7, ids\]/);
  refused([Op.Ack], 0, /request must be an array/);
});

test('a request that is not an array, or too short, or without a valid id is a notice', () => {
  for (const req of ['x', 7, null, undefined, { 0: Op.Ping, 1: 1 }, [], [Op.Ping], [Op.Call]]) {
    refused(req, 0, /request must be an array \[op, id, \.\.\.\]/);
  }
  for (const id of [0, -1, 1.5, 'one', null, 2 ** 53, [1], Number.NaN]) {
    refused([Op.Ping, id], 0, /id must be a positive integer/);
  }
  // The id is checked before the kind: an unknown kind with a bad id has nothing to answer.
  refused([99, -1], 0, /id must be a positive integer/);
});

test('a request with a valid id but bad fields is refused under its id', () => {
  refused([Op.Call, 5, 'AtomicLong', 'k', 'get'], 5, /a call is \[1, id, type, key, method, args/);
  refused([Op.Call, 5, 'AtomicLong', 'k', 'get', {}], 5, /a call is/);
  refused([Op.Call, 5, 'AtomicLong', 'k', 'get', [], 'init'], 5, /init args must be an array or null/);
  refused([Op.Call, 5, 'AtomicLong', 'k', 'get', [], [], 1], 5, /forceNew must be a boolean/);
  for (const ms of [-1, 2 ** 31, Number.NaN, 'soon', Infinity]) {
    refused([Op.Call, 5, 'AtomicLong', 'k', 'get', [], [], false, ms], 5, /timeoutMs must be a number from 0 to 2\^31-1/);
  }
  refused([Op.Destroy, 6], 6, /destroy takes a string key/);
  refused([Op.Destroy, 6, 42], 6, /destroy takes a string key/);
  refused([Op.Keys, 7, 42], 7, /keys takes a string prefix/);
  refused([Op.Describe, 8], 8, /describe takes a string key/);
  refused([Op.Describe, 8, ['k']], 8, /describe takes a string key/);
});

test('an unknown kind is refused under its id, named without converting it', () => {
  refused([0, 9], 9, /unknown request kind 0$/);
  refused(['call', 9], 9, /unknown request kind "call"$/);
  refused([{ toString: 1 }, 9], 9, /unknown request kind object$/);
  refused(['x'.repeat(100_000), 9], 9, /unknown request kind a long string$/);
});
