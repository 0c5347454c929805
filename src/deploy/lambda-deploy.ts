import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import { DeployError } from '../errors/deploy-error.ts';
import { parseEndpoints } from '../protocol/endpoint.ts';
import { importDependency } from '../runtime/optional-dependency.ts';
import { bundleForLambda } from './bundle.ts';
import { zip } from './zip.ts';

/** Memory and timeout of a function created without `memoryMb` / `timeoutSeconds`. */
export const DEFAULT_MEMORY_MB = 1024;
/** See {@link DEFAULT_MEMORY_MB}. */
export const DEFAULT_TIMEOUT_SECONDS = 300;
/** The AWS SDK's Lambda client, an optional peer dependency loaded only to deploy. */
type LambdaSdk = typeof import('@aws-sdk/client-lambda');

/** How long to wait for a function to become active or finish an update. */
const WAIT_SECONDS = 300;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Options of {@link deployLambda}. */
export interface LambdaDeployOptions {
  /** The app's entry module: the module that defines its tasks. */
  entry: string;
  /** The function's name. */
  name: string;
  /** Execution role ARN; required when the function does not exist yet, ignored otherwise. */
  role?: string;
  /** Memory in MB; on an update, unchanged unless given. */
  memoryMb?: number;
  /** Timeout in seconds; on an update, unchanged unless given. */
  timeoutSeconds?: number;
  /** AWS region (default: the SDK's chain, e.g. `AWS_REGION` or the profile). */
  region?: string;
  /** Lambda API endpoint, for an emulator (default: the SDK's, which reads `AWS_ENDPOINT_URL_LAMBDA`). */
  endpoint?: string;
  /** The DSO the functions connect to (`SKEIN_DSO` in their environment). */
  dso: string;
  /** DSO token (`SKEIN_TOKEN` in their environment); on an update, unchanged unless given. */
  token?: string;
  /** Reserved concurrency: at most this many instances (cloud threads) run at once. */
  concurrency?: number;
  /** The module `skein/lambda` resolves to in the bundle (see `bundleForLambda`). */
  handlerModule?: string;
  /** Receives one line per step (bundling, zipped size, creating or updating, active). */
  progress?: (line: string) => void;
}

/** What {@link deployLambda} did. */
export interface LambdaDeployment {
  /** The function's ARN. */
  arn: string;
  /** Whether the function was created (rather than updated). */
  created: boolean;
  /** Size of the uploaded zip in bytes. */
  zipBytes: number;
}

/**
 * Deploys an app as a Lambda function: bundles and zips it, then creates the function (Node 20,
 * handler `index.handler`) or updates its code and then its configuration, waiting after each step
 * until Lambda reports it done. The function's environment gets `SKEIN_DSO`, `SKEIN_TOKEN` and
 * `NODE_OPTIONS=--enable-source-maps`; other variables it already has are kept. Credentials and
 * region come from the SDK's default chain. Throws a {@link DeployError} for missing credentials,
 * region or role, or a request AWS refused, and a `MissingDependencyError` when
 * `@aws-sdk/client-lambda` is not installed.
 */
export async function deployLambda(opts: LambdaDeployOptions): Promise<LambdaDeployment> {
  const progress = opts.progress ?? (() => undefined);
  const sdk = await importDependency<LambdaSdk>('@aws-sdk/client-lambda', 'skein deploy lambda');
  const {
    CreateFunctionCommand,
    PutFunctionConcurrencyCommand,
    UpdateFunctionCodeCommand,
    UpdateFunctionConfigurationCommand,
    waitUntilFunctionActiveV2,
    waitUntilFunctionUpdatedV2,
  } = sdk;
  const client = new sdk.LambdaClient({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  });
  try {
    await checkConfig(client);
    if (isLoopback(opts.dso) && !isLocalEndpoint(opts.endpoint)) {
      progress(`warning: SKEIN_DSO=${opts.dso} is this machine; functions in AWS cannot reach it`);
    }
    progress(`bundling ${opts.entry}…`);
    const code = await bundleAndZip(opts);
    progress(`${Math.ceil(code.length / 1024)} KB zipped`);
    const existing = await getFunction(sdk, client, opts.name);
    let arn: string;
    if (existing === undefined) {
      if (!opts.role) throw new DeployError(`function ${opts.name} does not exist; creating it needs a role (--role ARN)`);
      progress(`creating ${opts.name}…`);
      const created = await client.send(
        new CreateFunctionCommand({
          FunctionName: opts.name,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Role: opts.role,
          Code: { ZipFile: code },
          MemorySize: opts.memoryMb ?? DEFAULT_MEMORY_MB,
          Timeout: opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
          Environment: { Variables: environment(opts, {}) },
        }),
      );
      arn = created.FunctionArn!;
      await waitUntilFunctionActiveV2({ client, maxWaitTime: WAIT_SECONDS }, { FunctionName: opts.name });
    } else {
      progress(`updating ${opts.name}…`);
      await client.send(new UpdateFunctionCodeCommand({ FunctionName: opts.name, ZipFile: code }));
      await waitUntilFunctionUpdatedV2({ client, maxWaitTime: WAIT_SECONDS }, { FunctionName: opts.name });
      const updated = await client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: opts.name,
          ...(opts.memoryMb !== undefined ? { MemorySize: opts.memoryMb } : {}),
          ...(opts.timeoutSeconds !== undefined ? { Timeout: opts.timeoutSeconds } : {}),
          Environment: { Variables: environment(opts, existing.Environment?.Variables ?? {}) },
        }),
      );
      arn = updated.FunctionArn!;
      await waitUntilFunctionUpdatedV2({ client, maxWaitTime: WAIT_SECONDS }, { FunctionName: opts.name });
    }
    if (opts.concurrency !== undefined) {
      await client.send(new PutFunctionConcurrencyCommand({ FunctionName: opts.name, ReservedConcurrentExecutions: opts.concurrency }));
    }
    progress(`${opts.name} active`);
    return { arn, created: existing === undefined, zipBytes: code.length };
  } catch (err) {
    if (err instanceof DeployError) throw err;
    throw new DeployError(`deploying ${opts.name} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    client.destroy();
  }
}

/** Fails early, before bundling, when the SDK finds no region or no credentials. */
async function checkConfig(client: LambdaClient): Promise<void> {
  try {
    await client.config.region();
  } catch (err) {
    throw new DeployError('no AWS region: pass --region or set AWS_REGION', { cause: err });
  }
  try {
    await client.config.credentials();
  } catch (err) {
    throw new DeployError(
      `no AWS credentials (${(err as Error).message}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`,
      { cause: err },
    );
  }
}

async function bundleAndZip(opts: LambdaDeployOptions): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-deploy-'));
  try {
    const bundle = await bundleForLambda({ entry: opts.entry, outDir: dir, ...(opts.handlerModule ? { handlerModule: opts.handlerModule } : {}) });
    return zip([
      { name: 'index.mjs', data: await readFile(bundle.file) },
      { name: 'index.mjs.map', data: await readFile(bundle.map) },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The function's configuration, or undefined when it does not exist. */
async function getFunction(sdk: LambdaSdk, client: LambdaClient, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return (await client.send(new sdk.GetFunctionCommand({ FunctionName: name }))).Configuration ?? {};
  } catch (err) {
    if (err instanceof sdk.ResourceNotFoundException) return undefined;
    throw err;
  }
}

function environment(opts: LambdaDeployOptions, existing: Record<string, string>): Record<string, string> {
  return {
    ...existing,
    SKEIN_DSO: opts.dso,
    ...(opts.token ? { SKEIN_TOKEN: opts.token } : {}),
    NODE_OPTIONS: '--enable-source-maps',
  };
}

function isLoopback(dso: string): boolean {
  return parseEndpoints(dso).some((e) => LOCAL_HOSTS.has(e.host));
}

/** Whether the Lambda API is on this machine (an emulator), from the option or the SDK's variables. */
function isLocalEndpoint(endpoint: string | undefined): boolean {
  const url = endpoint ?? process.env.AWS_ENDPOINT_URL_LAMBDA ?? process.env.AWS_ENDPOINT_URL;
  return url !== undefined && URL.canParse(url) && LOCAL_HOSTS.has(new URL(url).hostname);
}
