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

/** Command lines that are wrong, who says so (`skein run`, or `skein` itself) and why. */
const usageErrors: Array<[string[], string, RegExp]> = [
  [[], 'skein', /^no command given$/],
  [['frobnicate'], 'skein', /^unknown command 'frobnicate'$/],
  [['help', 'frobnicate'], 'skein help', /^unknown command 'frobnicate' \(known: run, dso, inspect, dashboard, deploy, admin, help\)$/],
  [['dso', '--bogus'], 'skein dso', /^unknown option '--bogus'$/],
  [['dso', 'extra'], 'skein dso', /^unexpected argument 'extra'$/],
  [['dso', '--port'], 'skein dso', /^--port needs a value$/],
  [['dso', '--port', 'abc'], 'skein dso', /^--port must be an integer from 0 to 65535, got 'abc'$/],
  [['dso', '--port', ''], 'skein dso', /^--port must be an integer from 0 to 65535, got ''$/],
  [['dso', '--port', '-1'], 'skein dso', /^--port needs a value \(one that starts with '-' is written --port=-N\)$/],
  [['dso', '--port=-1'], 'skein dso', /^--port must be an integer from 0 to 65535, got '-1'$/],
  [['dso', '--port', '0x10'], 'skein dso', /^--port must be an integer from 0 to 65535, got '0x10'$/],
  [['dso', '--port', '70000'], 'skein dso', /^--port must be an integer from 0 to 65535, got '70000'$/],
  [['dso', '--fsync=yes'], 'skein dso', /^--fsync takes no value$/],
  [['dso', '--max-frame-bytes', '10'], 'skein dso', /^--max-frame-bytes must be an integer of at least 1024, got '10'$/],
  [['dso', '--rf', '17'], 'skein dso', /^--rf must be an integer from 1 to 16, got '17'$/],
  [['dso', '--session-ttl-ms', '1e3'], 'skein dso', /^--session-ttl-ms must be a positive integer, got '1e3'$/],
  [['dso', '--log-level', 'loud'], 'skein dso', /^--log-level must be one of .*silent, got 'loud'$/],
  [['dso', '--snapshot-bytes', '0', '--data-dir', 'd'], 'skein dso', /^--snapshot-bytes must be a positive integer, got '0'$/],
  [['dso', '--snapshot-bytes', '4096'], 'skein dso', /^--snapshot-bytes needs --data-dir$/],
  [['dso', '--tls-cert', 'c.pem'], 'skein dso', /^--tls-cert and --tls-key go together$/],
  [['dso', '--tls-cert', 'no/such.pem', '--tls-key', 'no/such.key'], 'skein dso', /^--tls-cert: cannot read no\/such\.pem/],
  [['dso', '--etcd', 'etcd:2379'], 'skein dso', /^--etcd takes etcd client URLs like http:\/\/127\.0\.0\.1:2379, comma-separated; got 'etcd:2379'$/],
  [['run'], 'skein run', /^no entry file given, e\.g\. skein run examples\/montecarlo\.ts$/],
  [['run', 'examples/montecarlo.ts', '--backend', 'azure'], 'skein run', /^--backend must be one of local, process, lambda, http, got 'azure'$/],
  [['run', 'examples/montecarlo.ts', '--workers', '0'], 'skein run', /^--workers must be a positive integer, got '0'$/],
  [['run', 'examples/montecarlo.ts', '--timeout-ms', '100'], 'skein run', /^--timeout-ms needs --backend process/],
  [['run', 'examples/montecarlo.ts', '--min-workers', '1'], 'skein run', /^--min-workers goes with --backend process/],
  [['run', 'examples/montecarlo.ts', '--backend', 'process', '--workers', '2', '--min-workers', '3'], 'skein run', /^--min-workers \(3\) is more than --workers \(2\)/],
  [['run', 'examples/montecarlo.ts', '--backend', 'process', '--idle-ms', '0'], 'skein run', /idle-ms/],
  [['run', 'examples/montecarlo.ts', '--backend', 'lambda'], 'skein run', /^--backend lambda needs --function F$/],
  [['run', 'examples/montecarlo.ts', '--function', 'f'], 'skein run', /^--function goes with --backend lambda$/],
  [['run', 'examples/montecarlo.ts', '--backend', 'lambda', '--function', 'f', '--timeout-ms', '5'], 'skein run', /does not apply to --backend lambda/],
  [['run', 'examples/montecarlo.ts', '--region', 'eu-west-1'], 'skein run', /^--region goes with --backend lambda$/],
  [['run', 'examples/montecarlo.ts', '--backend', 'http'], 'skein run', /^--backend http needs --url URL$/],
  [['run', 'examples/montecarlo.ts', '--url', 'http://x/'], 'skein run', /^--url goes with --backend http$/],
  [['inspect', 'a', 'b', '--dso', 'skein://h:1'], 'skein inspect', /^takes at most one key, got 2$/],
  [['inspect', '--keys', 'a', 'b', '--dso', 'skein://h:1'], 'skein inspect', /^takes at most one prefix, got 2$/],
  [['deploy'], 'skein deploy', /^no target given: skein deploy lambda <entry\.ts> --name F$/],
  [['deploy', 'gcp', 'examples/montecarlo.ts'], 'skein deploy', /^unknown deploy target 'gcp' \(only lambda\)$/],
  [['deploy', 'lambda'], 'skein deploy', /^no entry file given/],
  [['deploy', 'lambda', 'no/such.ts', '--name', 'f'], 'skein deploy', /^entry file not found: no\/such\.ts$/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--dso', 'skein://h:1'], 'skein deploy', /^--name is required$/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'a b'], 'skein deploy', /^--name takes 1 to 64 letters/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--memory', '64'], 'skein deploy', /^--memory must be an integer from 128 to 10240, got '64'$/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--timeout', '901'], 'skein deploy', /^--timeout must be an integer from 1 to 900, got '901'$/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--concurrency', '0'], 'skein deploy', /^--concurrency must be a positive integer, got '0'$/],
  [['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--endpoint', 'not a url'], 'skein deploy', /^--endpoint takes a URL/],
  [['admin'], 'skein admin', /^no subcommand given \(known: forget-lost\)$/],
  [['admin', 'reboot'], 'skein admin', /^unknown subcommand 'reboot' \(known: forget-lost\)$/],
  [['admin', 'forget-lost', '--etcd', 'x'], 'skein admin', /^--etcd takes etcd client URLs/],
];

test('a usage error prints one line saying what is wrong and one pointing at the help, and exits 2', { concurrency: true }, async (t) => {
  await Promise.all(
    usageErrors.map(([args, who, reason]) =>
      t.test(`skein ${args.join(' ')}`, async () => {
        const { code, stdout, stderr } = await run(args, { SKEIN_DSO: '', SKEIN_ETCD: '' });
        assert.equal(code, 2, `stderr: ${stderr}`);
        assert.equal(stdout, '', 'nothing on stdout');
        const lines = stderr.split('\n');
        assert.equal(lines.length, 3, `two lines and the last newline: ${stderr}`);
        assert.ok(lines[0]!.startsWith(`${who}: `), lines[0]);
        assert.match(lines[0]!.slice(who.length + 2), reason);
        assert.equal(lines[1], `see '${who} --help'`);
      }),
    ),
  );
});

/** A DSO address that is not skein://host:port, as a person might type it. */
const badAddresses: Array<[string, RegExp]> = [
  ['http://127.0.0.1:7070', /^'http:\/\/127\.0\.0\.1:7070' is not a DSO address: its scheme is http; expected skein:\/\/host:port/],
  ['127.0.0.1:7070', /^'127\.0\.0\.1:7070' is not a DSO address: it has no scheme; expected skein:\/\/host:port .*; did you mean skein:\/\/127\.0\.0\.1:7070\?$/],
  ['garbage', /^'garbage' is not a DSO address: it has no scheme; expected skein:\/\/host:port/],
  ['skein://', /^'skein:\/\/' names no host; expected skein:\/\/host:port/],
];

test('a DSO address that is not skein://host:port is a usage error naming the accepted form, from --dso or SKEIN_DSO', { concurrency: true }, async (t) => {
  const cases = badAddresses.flatMap(([address, reason]) => [
    { args: ['inspect', '--dso', address], env: {}, who: 'skein inspect', reason: `--dso: ${reason.source.slice(1)}` },
    { args: ['inspect', '--keys'], env: { SKEIN_DSO: address }, who: 'skein inspect', reason: `SKEIN_DSO: ${reason.source.slice(1)}` },
    { args: ['run', 'examples/montecarlo.ts', '--dso', address], env: {}, who: 'skein run', reason: `--dso: ${reason.source.slice(1)}` },
    { args: ['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f'], env: { SKEIN_DSO: address }, who: 'skein deploy', reason: `SKEIN_DSO: ${reason.source.slice(1)}` },
  ]);
  await Promise.all(
    cases.map(({ args, env, who, reason }) =>
      t.test(`${Object.keys(env).length > 0 ? `SKEIN_DSO=${env.SKEIN_DSO} ` : ''}skein ${args.join(' ')}`, async () => {
        const { code, stdout, stderr } = await run(args, env);
        assert.equal(code, 2, `stderr: ${stderr}`);
        assert.equal(stdout, '');
        const [first, second, end] = stderr.split('\n');
        assert.match(first!, new RegExp(`^${who}: ${reason}`));
        assert.equal(second, `see '${who} --help'`);
        assert.equal(end, '', 'two lines, no stack');
      }),
    ),
  );
});

/** Each command, and what its help must mention. */
const helps: Array<[string, RegExp]> = [
  ['run', /--backend B/],
  ['dso', /--max-frame-bytes N/],
  ['inspect', /--keys/],
  ['deploy', /--role ARN/],
  ['admin', /forget-lost/],
  ['help', /skein help \[command\]/],
];

test("each command's help: 'skein <command> --help', '-h' and 'skein help <command>' print it to stdout and exit 0", { concurrency: true }, async (t) => {
  await Promise.all(
    helps.map(([command, mentions]) =>
      t.test(command, async () => {
        const [long, short, viaHelp, amidOthers] = await Promise.all([
          run([command, '--help']),
          run([command, '-h']),
          run(['help', command]),
          run([command, '--bogus', 'x', '--help']),
        ]);
        for (const r of [long, short, viaHelp, amidOthers]) {
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stderr, '');
        }
        assert.match(long.stdout, new RegExp(`^usage: skein ${command}`));
        assert.match(long.stdout, mentions);
        assert.equal(short.stdout, long.stdout);
        assert.equal(viaHelp.stdout, long.stdout);
        assert.equal(amidOthers.stdout, long.stdout, '--help wins over the rest of the line');
      }),
    ),
  );
});

test("'skein --help' and 'skein help' print a short overview listing every command; --version prints the version", { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('overview', async () => {
      const [long, viaHelp] = await Promise.all([run(['--help']), run(['help'])]);
      assert.equal(long.code, 0);
      assert.equal(viaHelp.stdout, long.stdout);
      assert.match(long.stdout, /^usage: skein <command> \[options\]\n/);
      for (const [command] of helps) assert.match(long.stdout, new RegExp(`^  ${command}\\b`, 'm'), `lists ${command}`);
      assert.ok(long.stdout.split('\n').length < 20, 'short: no command options in it');
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
  assert.equal(stderr, "skein deploy: the functions need a DSO: pass --dso URL or set SKEIN_DSO\nsee 'skein deploy --help'\n");
});

test('skein deploy without AWS credentials fails before bundling: exit 1 with the reason, no stack', async () => {
  const { code, stdout, stderr } = await run(['deploy', 'lambda', 'examples/montecarlo.ts', '--name', 'f', '--dso', 'skein://dso.example:7070'], {
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
  assert.match(stderr, /^skein deploy: no AWS credentials .*set AWS_ACCESS_KEY_ID/m);
  assert.doesNotMatch(stderr, /bundling/);
  assert.doesNotMatch(stderr, /\n\s+at /);
});
