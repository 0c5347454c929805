import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, deployLambda } from '../deploy/lambda-deploy.ts';
import { parseEndpoints } from '../protocol/endpoint.ts';
import { UsageError } from './usage-error.ts';

/** Help text of `skein deploy`. */
export const DEPLOY_USAGE = `skein deploy lambda <entry.ts> --name F [options]
                         bundle an app and create or update its AWS Lambda function

  --name F             the function's name
  --role ARN           execution role; needed only to create the function
  --memory MB          memory, 128 to 10240 (default ${DEFAULT_MEMORY_MB} when created)
  --timeout S          timeout in seconds, 1 to 900 (default ${DEFAULT_TIMEOUT_SECONDS} when created)
  --region R           AWS region (default: AWS_REGION or the profile's)
  --endpoint URL       Lambda API endpoint, e.g. an emulator (default: AWS_ENDPOINT_URL_LAMBDA)
  --dso URL            the DSO the functions connect to (default: SKEIN_DSO); it must be
                       reachable from them
  --token T            DSO token (default: SKEIN_TOKEN)
  --concurrency N      reserved concurrency: at most N threads run at once
  --help               print this help`;

/**
 * `skein deploy lambda`: checks the command line (a bad one throws a {@link UsageError}), then
 * deploys with `deployLambda`, reporting progress on stderr and printing the function's ARN on
 * stdout. Resolves with the exit code.
 */
export async function deployCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      memory: { type: 'string' },
      timeout: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      dso: { type: 'string' },
      token: { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${DEPLOY_USAGE}\n`);
    return 0;
  }
  const [target, entry, ...extra] = positionals;
  if (target !== 'lambda') {
    throw new UsageError(target === undefined ? 'skein deploy needs a target: skein deploy lambda <entry.ts> --name F' : `unknown deploy target '${target}' (only lambda)`);
  }
  if (!entry) throw new UsageError('skein deploy lambda needs an entry file, e.g. skein deploy lambda examples/montecarlo.ts --name montecarlo');
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (!existsSync(entry)) throw new UsageError(`entry file not found: ${entry}`);
  const name = values.name;
  if (!name) throw new UsageError('--name is required');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new UsageError(`--name takes 1 to 64 letters, digits, - or _, got '${name}'`);
  const memoryMb = intInRange(values.memory, 'memory', 128, 10240);
  const timeoutSeconds = intInRange(values.timeout, 'timeout', 1, 900);
  const concurrency = intInRange(values.concurrency, 'concurrency', 1, Number.MAX_SAFE_INTEGER);
  if (values.endpoint !== undefined && !URL.canParse(values.endpoint)) throw new UsageError(`--endpoint takes a URL, got '${values.endpoint}'`);
  const dso = values.dso ?? process.env.SKEIN_DSO;
  if (!dso) throw new UsageError('the functions need a DSO: pass --dso URL or set SKEIN_DSO');
  try {
    parseEndpoints(dso);
  } catch (err) {
    throw new UsageError(`--dso: ${(err as Error).message}`);
  }
  const token = values.token ?? process.env.SKEIN_TOKEN;
  const deployment = await deployLambda({
    entry,
    name,
    dso,
    ...(token ? { token } : {}),
    ...(values.role ? { role: values.role } : {}),
    ...(memoryMb !== undefined ? { memoryMb } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${deployment.arn}\n`);
  return 0;
}

/** A decimal integer option from `min` to `max`. */
function intInRange(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got '${raw}'`);
  }
  return n;
}
