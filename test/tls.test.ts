import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AtomicLong, connect, ConnectionClosedError, type Client } from '../src/index.ts';
import { exited, skein, stopChild, testNode, waitForLine } from './support/node.ts';

const dir = mkdtempSync(join(tmpdir(), 'skein-tls-'));
const certFile = join(dir, 'c.pem');
const keyFile = join(dir, 'k.pem');
let openssl: string | undefined = 'openssl is not installed';
let cert = '';
let key = '';

before(() => {
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'pipe' },
  );
  if (made.error) return; // ENOENT: no openssl, the tests skip
  assert.equal(made.status, 0, `openssl failed: ${made.stderr}`);
  openssl = undefined;
  cert = readFileSync(certFile, 'utf8');
  key = readFileSync(keyFile, 'utf8');
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** `skeins://localhost:PORT` for a node URL: the certificate names localhost, not 127.0.0.1. */
function viaLocalhost(url: string): string {
  return `skeins://localhost:${new URL(url).port}`;
}

test('a TLS node serves clients that trust its certificate', async (t) => {
  if (openssl) return t.skip(`${openssl}; cannot make a certificate`);
  const node = await testNode({ tls: { cert, key } });
  let client: Client | undefined;
  try {
    assert.match(node.url, /^skeins:\/\//);
    client = await connect({ url: viaLocalhost(node.url), tls: { ca: cert } });
    const counter = new AtomicLong({ key: 'tls-counter', client });
    const values = await Promise.all([counter.incrementAndGet(), counter.incrementAndGet(), counter.addAndGet(40)]);
    assert.deepEqual(values, [1, 2, 42]);
    assert.equal(await counter.get(), 42);
  } finally {
    await client?.close();
    await node.close();
  }
});

test('a TLS node is refused by a client that does not trust it, and a plain client cannot talk to it', async (t) => {
  if (openssl) return t.skip(`${openssl}; cannot make a certificate`);
  const node = await testNode({ tls: { cert, key } });
  try {
    await assert.rejects(connect({ url: viaLocalhost(node.url) }), (err: unknown) => {
      assert.ok(err instanceof ConnectionClosedError);
      assert.match(err.message, /self-signed|certificate/i);
      return true;
    });
    await assert.rejects(connect({ url: `skein://127.0.0.1:${new URL(node.url).port}` }), ConnectionClosedError);
    // The certificate is for localhost: another name does not pass verification.
    await assert.rejects(connect({ url: node.url, tls: { ca: cert } }), ConnectionClosedError);
  } finally {
    await node.close();
  }
});

test('`skein dso --tls-cert --tls-key` serves TLS and stops cleanly on SIGTERM', async (t) => {
  if (openssl) return t.skip(`${openssl}; cannot make a certificate`);
  const child = skein(['dso', '--port', '0', '--tls-cert', certFile, '--tls-key', keyFile, '--log-level', 'silent']);
  let client: Client | undefined;
  try {
    const [, url] = await waitForLine(child, /listening on (skeins:\/\/\S+)/);
    client = await connect({ url: viaLocalhost(url!), tls: { ca: cert } });
    const counter = new AtomicLong({ key: 'cli-tls', client }, 9);
    assert.equal(await counter.incrementAndGet(), 10);
    await client.close();
    child.kill('SIGTERM');
    assert.deepEqual(await exited(child), { code: 0, signal: null });
  } finally {
    await client?.close();
    await stopChild(child);
  }
});
