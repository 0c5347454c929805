import { existsSync } from 'node:fs';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, deployLambda } from '../deploy/lambda-deploy.ts';
import { dsoOption, intOption, parseCommandLine } from './options.ts';
import { UsageError } from './usage-error.ts';

/** Help text of `skein deploy`. */
export const DEPLOY_USAGE = `usage: skein deploy lambda <entry.ts> --name F [options]

Bundles an app (its entry and what it imports) and creates or updates its AWS Lambda function,
which then runs the app's cloud threads (skein run --backend lambda --function F). Prints the
function's ARN.

options:
  --name F             the function's name
  --role ARN           execution role; needed only to create the function
  --memory MB          memory, 128 to 10240 (default ${DEFAULT_MEMORY_MB} when created)
  --timeout S          timeout in seconds, 1 to 900 (default ${DEFAULT_TIMEOUT_SECONDS} when created)
  --region R           AWS region (default: AWS_REGION or the profile's)
  --endpoint URL       Lambda API endpoint, e.g. an emulator (default: AWS_ENDPOINT_URL_LAMBDA)
  --dso URL            the DSO the functions connect to, skein://host:port (default: SKEIN_DSO);
                       it must be reachable from them
  --token T            DSO token (default: SKEIN_TOKEN)
  --concurrency N      reserved concurrency: at most N threads run at once
  -h, --help           print this help`;

/**
 * `skein deploy lambda`: checks the command line (a bad one throws a {@link UsageError}), then
 * deploys with `deployLambda`, reporting progress on stderr and printing the function's ARN on
 * stdout. Resolves with the exit code.
 */
export async function deployCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      name: { type: 'string' },
      role: { type: 'string' },
      memory: { type: 'string' },
      timeout: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      dso: { type: 'string' },
      token: { type: 'string' },
      concurrency: { type: 'string' },
    },
    true,
  );
  const [target, entry, ...extra] = positionals;
  if (target !== 'lambda') {
    throw new UsageError(target === undefined ? 'no target given: skein deploy lambda <entry.ts> --name F' : `unknown deploy target '${target}' (only lambda)`);
  }
  if (!entry) throw new UsageError('no entry file given, e.g. skein deploy lambda examples/montecarlo.ts --name montecarlo');
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (!existsSync(entry)) throw new UsageError(`entry file not found: ${entry}`);
  const name = values.name;
  if (!name) throw new UsageError('--name is required');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new UsageError(`--name takes 1 to 64 letters, digits, - or _, got '${name}'`);
  const memoryMb = intOption(values.memory, 'memory', { min: 128, max: 10240 });
  const timeoutSeconds = intOption(values.timeout, 'timeout', { min: 1, max: 900 });
  const concurrency = intOption(values.concurrency, 'concurrency', { min: 1 });
  if (values.endpoint !== undefined && !URL.canParse(values.endpoint)) throw new UsageError(`--endpoint takes a URL, got '${values.endpoint}'`);
  const dso = dsoOption(values.dso);
  if (!dso) throw new UsageError('the functions need a DSO: pass --dso URL or set SKEIN_DSO');
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
