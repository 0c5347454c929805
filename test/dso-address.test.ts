import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressError, AtomicLong, connect, createClient, setDefaultClient, SkeinError } from '../src/index.ts';
import { Client } from '../src/client/client.ts';

/** Addresses a person might give instead of skein://host:port, and what the error says about each. */
const wrong: Array<[string, RegExp]> = [
  ['http://127.0.0.1:7070', /^'http:\/\/127\.0\.0\.1:7070' is not a DSO address: its scheme is http; expected skein:\/\/host:port \(skeins:\/\/ for TLS\)$/],
  ['127.0.0.1:7070', /^'127\.0\.0\.1:7070' is not a DSO address: it has no scheme; .*did you mean skein:\/\/127\.0\.0\.1:7070\?$/],
  ['localhost:7070', /it has no scheme; .*did you mean skein:\/\/localhost:7070\?$/],
  ['garbage', /^'garbage' is not a DSO address: it has no scheme; expected skein:\/\/host:port/],
  ['skein://host:99999', /^'skein:\/\/host:99999' is not a DSO address; expected skein:\/\/host:port/],
  ['skein://host:0', /names port 0/],
  ['skein://a:1,tcp://b:2', /^'tcp:\/\/b:2' is not a DSO address: its scheme is tcp/],
  ['', /^no DSO address given; expected skein:\/\/host:port/],
];

/** Asserts `err` is the AddressError `message` describes: a SkeinError with a stable code. */
function isAddressError(err: unknown, message: RegExp): true {
  assert.ok(err instanceof AddressError, `expected AddressError, got ${String(err)}`);
  assert.ok(err instanceof SkeinError);
  assert.equal(err.code, 'EADDRESS');
  assert.match(err.message, message);
  return true;
}

test('new Client() and createClient() throw an AddressError naming the accepted form; connect() rejects with it', async () => {
  for (const [url, message] of wrong) {
    assert.throws(() => new Client({ url }), (err) => isAddressError(err, message), url);
    if (url !== '') assert.throws(() => createClient({ url }), (err) => isAddressError(err, message), url);
    if (url !== '') await assert.rejects(connect({ url }), (err) => isAddressError(err, message), url);
  }
});

test('skein:// and skeins:// addresses, with or without a port, several seeds: accepted', () => {
  const client = new Client({ url: 'skein://127.0.0.1:7070, skeins://dso.example,skein://[::1]:7071' });
  assert.deepEqual(client.endpoints, [
    { host: '127.0.0.1', port: 7070, tls: false },
    { host: 'dso.example', port: 7070, tls: true },
    { host: '::1', port: 7071, tls: false },
  ]);
});

test('no address at all, or a wrong SKEIN_DSO, is an AddressError from connect() and from the default client', async () => {
  const saved = process.env.SKEIN_DSO;
  try {
    delete process.env.SKEIN_DSO;
    setDefaultClient(undefined);
    await assert.rejects(connect(), (err) => isAddressError(err, /^no DSO address: pass \{ url: "skein:\/\/host:port" \} or set SKEIN_DSO$/));
    assert.throws(() => new AtomicLong('x').client, (err) => isAddressError(err, /or set SKEIN_DSO$/));
    process.env.SKEIN_DSO = 'dso.example:7070';
    assert.throws(() => new AtomicLong('x').client, (err) => isAddressError(err, /did you mean skein:\/\/dso\.example:7070\?$/));
  } finally {
    setDefaultClient(undefined);
    if (saved === undefined) delete process.env.SKEIN_DSO;
    else process.env.SKEIN_DSO = saved;
  }
});
