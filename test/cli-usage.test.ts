import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { exited, output, skein } from './support/node.ts';

/** Runs `skein args...` to completion. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = skein(args, env);
  const out = output(child);
  const { code } = await exited(child);
  return { code, ...out };
}

const usageErrors: Array<[string[], RegExp]> = [
  [[], /no command given/],
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['dso', '--bogus'], /Unknown option '--bogus'/],
  [['dso', 'extra'], /Unexpected argument 'extra'/],
  [['dso', '--port'], /Option '--port <value>' argument missing/],
  [['dso', '--port', 'abc'], /--port must be a non-negative integer, got 'abc'/],
  [['dso', '--port', ''], /--port must be a non-negative integer, got ''/],
  [['dso', '--port', '-1'], /argument is ambiguous/],
  [['dso', '--port', '0x10'], /--port must be a non-negative integer, got '0x10'/],
  [['dso', '--port', '70000'], /--port must be at most 65535/],
  [['dso', '--max-frame-bytes', '10'], /--max-frame-bytes must be at least 1024, got 10/],
  [['dso', '--log-level', 'loud'], /--log-level must be one of .*silent, got 'loud'/],
  [['dso', '--snapshot-bytes', '0', '--data-dir', 'd'], /--snapshot-bytes must be at least 1/],
  [['dso', '--snapshot-bytes', '4096'], /--snapshot-bytes needs --data-dir/],
  [['dso', '--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
  [['dso', '--tls-cert', 'no/such.pem', '--tls-key', 'no/such.key'], /--tls-cert: cannot read no\/such\.pem/],
  [['run'], /skein run needs an entry file/],
  [['run', 'examples/montecarlo.ts', '--backend', 'azure'], /--backend must be one of local, process, lambda, http, got 'azure'/],
  [['run', 'examples/montecarlo.ts', '--workers', '0'], /--workers must be a positive integer, got '0'/],
  [['run', 'examples/montecarlo.ts', '--timeout-ms', '100'], /--timeout-ms needs --backend process/],
  [['run', 'examples/montecarlo.ts', '--backend', 'lambda'], /--backend lambda needs --function F/],
  [['run', 'examples/montecarlo.ts', '--function', 'f'], /--function goes with --backend lambda/],
  [['run', 'examples/montecarlo.ts', '--backend', 'lambda', '--function', 'f', '--timeout-ms', '5'], /does not apply to --backend lambda/],
  [['run', 'examples/montecarlo.ts', '--region', 'eu-west-1'], /--region goes with --backend lambda/],
  [['run', 'examples/montecarlo.ts', '--backend', 'http'], /--backend http needs --url URL/],
  [['run', 'examples/montecarlo.ts', '--url', 'http://x/'], /--url goes with --backend http/],
  [['deploy'], /skein deploy needs a target/],
  [['deploy', 'gcp', 'examples/montecarlo.ts'], /unknown deploy target 'gcp'/],
  [['deploy', 'lambda'], /skein deploy lambda needs an entry file/],
  [['deploy', 'lambda', 'no/such.ts', '--name', 'f'], /entry file not found: no\/such\.ts/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--dso', 'h:1'], /--name is required/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'a b'], /--name takes 1 to 64 letters/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--memory', '64'], /--memory must be an integer from 128 to 10240, got '64'/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--timeout', '901'], /--timeout must be an integer from 1 to 900/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--concurrency', '0'], /--concurrency must be an integer from 1 up/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--endpoint', 'not a url'], /--endpoint takes a URL/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--dso', 'h:port'], /--dso: /],
];

test('usage errors exit with 2, a one-line reason and the usage on stderr', { concurrency: true }, async (t) => {
  await Promise.all(
    usageErrors.map(([args, reason]) =>
      t.test(`skein ${args.join(' ')}`, async () => {
        const { code, stdout, stderr } = await run(args);
        assert.equal(code, 2, `stderr: ${stderr}`);
        assert.equal(stdout, '', 'nothing on stdout');
        const [first] = stderr.split('\n');
        assert.match(first!, /^skein: /);
        assert.match(first!, reason);
        assert.match(stderr, /usage: skein <command>/);
        assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace for a usage error');
      }),
    ),
  );
});

test('help and --version print to stdout and exit 0', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('skein help', async () => {
      const { code, stdout } = await run(['help']);
      assert.equal(code, 0);
      assert.match(stdout, /usage: skein <command>/);
    }),
    t.test('skein dso --help', async () => {
      const { code, stdout } = await run(['dso', '--help']);
      assert.equal(code, 0);
      assert.match(stdout, /--max-frame-bytes N/);
    }),
    t.test('skein deploy --help', async () => {
      const { code, stdout } = await run(['deploy', '--help']);
      assert.equal(code, 0);
      assert.match(stdout, /--role ARN/);
    }),
    t.test('skein --version', async () => {
      const { code, stdout } = await run(['--version']);
      assert.equal(code, 0);
      assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
    }),
  ]);
});

test('a port already in use is a runtime failure: exit 1 with the reason', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = blocker.address() as net.AddressInfo;
    const { code, stderr } = await run(['dso', '--port', String(port), '--log-level', 'silent']);
    assert.equal(code, 1);
    assert.match(stderr, /EADDRINUSE/);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

test('skein deploy without a DSO is a usage error', async () => {
  const { code, stderr } = await run(['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f'], { SKEIN_DSO: '' });
  assert.equal(code, 2);
  assert.match(stderr, /^skein: the functions need a DSO: pass --dso URL or set SKEIN_DSO\n/);
});

test('skein deploy without AWS credentials fails before bundling: exit 1 with the reason, no stack', async () => {
  const { code, stdout, stderr } = await run(['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--dso', 'dso.example:7070'], {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
  });
  assert.equal(code, 1, `stderr: ${stderr}`);
  assert.equal(stdout, '');
  assert.match(stderr, /^skein: no AWS credentials .*set AWS_ACCESS_KEY_ID/m);
  assert.doesNotMatch(stderr, /bundling/);
  assert.doesNotMatch(stderr, /\n\s+at /);
});
