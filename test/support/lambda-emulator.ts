import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzip } from './zip.ts';

/** Largest Invoke request payload Lambda takes (6 MiB); a larger one answers 413. */
export const MAX_REQUEST_PAYLOAD = 6_291_456;
/** Largest response payload Lambda returns; the limit Lambda actually applies is 100 bytes over 6 MiB. */
export const MAX_RESPONSE_PAYLOAD = 6_291_556;

const RUNTIME = fileURLToPath(new URL('./lambda-runtime.js', import.meta.url));

/** The AWS SDK v3 scope (`node_modules/@aws-sdk`), which Lambda's Node.js runtime provides to every function. */
const SDK_SCOPE = ((p: string) => p.slice(0, p.lastIndexOf('/@aws-sdk/') + '/@aws-sdk'.length))(fileURLToPath(import.meta.resolve('@aws-sdk/client-lambda')));
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
// How long a container's init phase (importing the handler module) may take, as on Lambda.
const INIT_TIMEOUT_MS = 10_000;

/** Options of {@link LambdaEmulator.start}. */
export interface LambdaEmulatorOptions {
  /** Invocations of one function that may run at once; one more answers 429. Default 10. */
  readonly concurrency?: number;
}

/** What happened to one function's containers, for tests. */
export interface FunctionStats {
  /** Invocations that started a new container. */
  readonly coldStarts: number;
  /** Invocations that ran in an idle container. */
  readonly warmStarts: number;
  /** Invocations refused with 429: the function's concurrency was in use, or {@link LambdaEmulator.throttle} said so. */
  readonly throttled: number;
  /** Invoke requests the function received: those that ran and those refused (throttled). */
  readonly requests: number;
  /** Containers alive now, busy or idle. */
  readonly containers: number;
}

interface Configuration {
  FunctionName: string;
  Runtime: string;
  Role: string;
  Handler: string;
  Timeout: number;
  MemorySize: number;
  Variables: Record<string, string>;
}

/** One container: a `node` child process running `lambda-runtime.js` for one code revision. */
interface Container {
  readonly child: ChildProcess;
  readonly revision: number;
  /** Resolves once the handler module is loaded; rejects with Lambda's error object on an init failure. */
  readonly ready: Promise<void>;
  /** Settles the invocation running in the container, if one is. */
  settle: ((answer: Answer) => void) | undefined;
}

/** A finished invocation: the handler's JSON result, or a function error. */
type Answer = { readonly result: string } | { readonly error: LambdaErrorObject };

/** Lambda's error payload for a function error. */
interface LambdaErrorObject {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

interface LambdaFunction {
  config: Configuration;
  /** Bumped by every code or configuration update: containers of older revisions are retired. */
  revision: number;
  root: string;
  codeSha256: string;
  codeSize: number;
  lastModified: string;
  readonly containers: Set<Container>;
  readonly idle: Container[];
  running: number;
  coldStarts: number;
  warmStarts: number;
  throttled: number;
  requests: number;
  /** Invoke requests still to refuse with 429 whatever the concurrency ({@link LambdaEmulator.throttle}). */
  throttleNext: number;
  /** Settles the next invocation whose connection is to be cut ({@link LambdaEmulator.cutNext}). */
  cutNext: (() => void) | undefined;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * A local stand-in for AWS Lambda that `@aws-sdk/client-lambda` talks to through its `endpoint`
 * option. It speaks CreateFunction, GetFunction, GetFunctionConfiguration, UpdateFunctionCode,
 * UpdateFunctionConfiguration and Invoke (RequestResponse only; `$LATEST` only) of the
 * 2015-03-31 REST API, with Lambda's error shapes. Functions run like Lambda's Node.js runtime:
 * the zip is extracted to a temp directory; an invocation takes an idle container (a `node` child
 * process that imported the handler module: warm) or starts one (cold); a container runs one
 * invocation at a time; at most `concurrency` invocations of a function run at once (429 past
 * that); one that runs past the function's `Timeout` answers Lambda's timeout error and its
 * container is killed; a code or configuration update retires the containers of the old one.
 * Children get the function's environment variables and Lambda's own (`AWS_LAMBDA_FUNCTION_NAME`,
 * `LAMBDA_TASK_ROOT`, the role's credentials `AWS_ACCESS_KEY_ID`..., unchecked), not this
 * process's environment; like Lambda's runtime, it provides the AWS SDK v3 (`@aws-sdk/*`) to the
 * function's code. For tests it counts each function's
 * Invoke requests and containers ({@link LambdaEmulator.stats}), refuses the next few with 429 on
 * demand ({@link LambdaEmulator.throttle}) and can cut an invocation's connection while the
 * function runs ({@link LambdaEmulator.cutNext}). Not emulated: versions and aliases,
 * async invocation, S3 code, layers, log tails, callback-style handlers.
 */
export class LambdaEmulator {
  private readonly functions = new Map<string, LambdaFunction>();
  private readonly dirs: string[] = [];

  private constructor(
    private readonly server: Server,
    /** The URL to give the SDK client as `endpoint`. */
    readonly endpoint: string,
    private readonly concurrency: number,
  ) {}

  /** Starts an emulator listening on 127.0.0.1 at a free port. */
  static async start(opts: LambdaEmulatorOptions = {}): Promise<LambdaEmulator> {
    const concurrency = opts.concurrency ?? 10;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be an integer >= 1');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const emulator = new LambdaEmulator(server, `http://127.0.0.1:${port}`, concurrency);
    server.on('request', (req, res) => void emulator.serve(req, res));
    return emulator;
  }

  /** Counters of the function `name`'s containers; throws for an unknown function. */
  stats(name: string): FunctionStats {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    return { coldStarts: fn.coldStarts, warmStarts: fn.warmStarts, throttled: fn.throttled, requests: fn.requests, containers: fn.containers.size };
  }

  /**
   * The function `name`'s next `count` Invoke requests answer 429 TooManyRequestsException, as
   * if its concurrency were in use; 0 ends that. Throws for an unknown function.
   */
  throttle(name: string, count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be an integer >= 0');
    this.stats(name);
    this.functions.get(name)!.throttleNext = count;
  }

  /**
   * Cuts the connection of the function `name`'s next invocation that runs: its socket is
   * destroyed once the event is handed to a container, before any answer, so the caller sees the
   * connection reset with no way to know whether the function ran. The function runs on to its
   * end, as on Lambda, which does not stop a function whose caller went away; the promise resolves
   * then. Throws for an unknown function.
   */
  cutNext(name: string): Promise<void> {
    this.stats(name);
    const fn = this.functions.get(name)!;
    return new Promise((resolve) => {
      fn.cutNext = resolve;
    });
  }

  /** Kills every container, stops listening and removes the extracted code. */
  async close(): Promise<void> {
    for (const fn of this.functions.values()) for (const c of fn.containers) c.child.kill('SIGKILL');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = url.pathname.match(/^\/2015-03-31\/functions(?:\/([^/]+)(?:\/(code|configuration|invocations))?)?\/?$/);
      const name = m?.[1] === undefined ? undefined : functionName(decodeURIComponent(m[1]));
      const route = `${req.method} ${name === undefined ? '' : m?.[2] ?? 'function'}`;
      if (route === 'POST ') return send(res, 201, configuration(await this.create(json(body))));
      if (name === undefined) throw unknownOperation(req);
      switch (route) {
        case 'GET function':
          return send(res, 200, {
            Configuration: configuration(this.find(name)),
            Code: { RepositoryType: 'S3', Location: `${this.endpoint}/code/${name}` },
          });
        case 'GET configuration':
          return send(res, 200, configuration(this.find(name)));
        case 'PUT code':
          return send(res, 200, configuration(await this.updateCode(name, json(body))));
        case 'PUT configuration':
          return send(res, 200, configuration(this.updateConfiguration(name, json(body))));
        case 'POST invocations':
          return await this.invoke(name, req, body, requestId, res);
        default:
          throw unknownOperation(req);
      }
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'ServiceException', (err as Error).message);
      res.setHeader('x-amzn-ErrorType', e.type);
      send(res, e.status, { Type: e.status >= 500 ? 'Service' : 'User', message: e.message, ...e.extra });
    }
  }

  private find(name: string): LambdaFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new ApiError(404, 'ResourceNotFoundException', `Function not found: ${arn(name)}`);
    return fn;
  }

  private async create(input: Record<string, unknown>): Promise<LambdaFunction> {
    const name = input.FunctionName;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw invalid('FunctionName must be 1-64 letters, digits, - or _');
    if (this.functions.has(name)) throw new ApiError(409, 'ResourceConflictException', `Function already exist: ${name}`);
    if (typeof input.Handler !== 'string') throw invalid('Handler is required for a zip package');
    const config: Configuration = {
      FunctionName: name,
      Runtime: typeof input.Runtime === 'string' ? input.Runtime : 'nodejs20.x',
      Role: typeof input.Role === 'string' ? input.Role : '',
      Handler: input.Handler,
      Timeout: 3,
      MemorySize: 128,
      Variables: {},
    };
    applyConfiguration(config, input);
    const fn: LambdaFunction = {
      config,
      revision: 0,
      root: '',
      codeSha256: '',
      codeSize: 0,
      lastModified: '',
      containers: new Set(),
      idle: [],
      running: 0,
      coldStarts: 0,
      warmStarts: 0,
      throttled: 0,
      requests: 0,
      throttleNext: 0,
      cutNext: undefined,
    };
    await this.deployCode(fn, (input.Code as { ZipFile?: unknown } | undefined)?.ZipFile);
    this.functions.set(name, fn);
    return fn;
  }

  private async updateCode(name: string, input: Record<string, unknown>): Promise<LambdaFunction> {
    const fn = this.find(name);
    await this.deployCode(fn, input.ZipFile);
    return fn;
  }

  private updateConfiguration(name: string, input: Record<string, unknown>): LambdaFunction {
    const fn = this.find(name);
    applyConfiguration(fn.config, input);
    if (typeof input.Handler === 'string') fn.config.Handler = input.Handler;
    this.retire(fn);
    return fn;
  }

  /** Extracts a base64 zip as the function's code; containers of the old code are retired. */
  private async deployCode(fn: LambdaFunction, zipFile: unknown): Promise<void> {
    if (typeof zipFile !== 'string') throw invalid('Code.ZipFile (base64) is required; the emulator takes no S3 code');
    const archive = Buffer.from(zipFile, 'base64');
    let entries;
    try {
      entries = unzip(archive);
    } catch (err) {
      throw invalid(`Could not unzip uploaded file. Please check your file, then try to upload again. (${(err as Error).message})`);
    }
    // The code goes in <dir>/task; <dir>/node_modules has the SDK, as the runtime's does on Lambda.
    const dir = await mkdtemp(join(tmpdir(), 'skein-lambda-'));
    this.dirs.push(dir);
    await mkdir(join(dir, 'node_modules'));
    await symlink(SDK_SCOPE, join(dir, 'node_modules', '@aws-sdk'));
    const root = join(dir, 'task');
    await mkdir(root);
    for (const entry of entries) {
      const path = normalize(join(root, entry.name));
      if (!path.startsWith(root + '/')) throw invalid(`zip entry ${entry.name} points outside the archive`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, entry.data);
    }
    fn.root = root;
    fn.codeSha256 = createHash('sha256').update(archive).digest('base64');
    fn.codeSize = archive.length;
    this.retire(fn);
  }

  /** Starts a new revision: idle containers go now, busy ones when their invocation ends. */
  private retire(fn: LambdaFunction): void {
    fn.revision++;
    fn.lastModified = new Date().toISOString().replace('Z', '+0000');
    for (const c of fn.idle.splice(0)) kill(fn, c);
  }

  private async invoke(name: string, req: IncomingMessage, body: Buffer, requestId: string, res: ServerResponse): Promise<void> {
    const fn = this.find(name);
    fn.requests++;
    const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (type !== 'RequestResponse') throw invalid(`the emulator runs RequestResponse invocations only, not ${String(type)}`);
    if (body.length > MAX_REQUEST_PAYLOAD) {
      throw new ApiError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${MAX_REQUEST_PAYLOAD} bytes for the InvokeFunction operation`);
    }
    const event = body.length === 0 ? '{}' : body.toString('utf8');
    try {
      JSON.parse(event);
    } catch {
      throw new ApiError(400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload is not JSON');
    }
    if (fn.running >= this.concurrency || fn.throttleNext > 0) {
      if (fn.throttleNext > 0) fn.throttleNext--;
      res.setHeader('Retry-After', '1');
      fn.throttled++;
      throw new ApiError(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    }
    const cut = fn.cutNext;
    fn.cutNext = undefined;
    fn.running++;
    let answer: Answer;
    try {
      answer = await this.run(fn, event, requestId, cut && (() => req.socket.destroy()));
    } finally {
      fn.running--;
    }
    if (cut) {
      // Cut at dispatch; a function that failed to load never got there, so its answer goes too.
      req.socket.destroy();
      cut();
      return;
    }
    res.setHeader('X-Amz-Executed-Version', '$LATEST');
    if ('result' in answer && Buffer.byteLength(answer.result) <= MAX_RESPONSE_PAYLOAD) {
      res.setHeader('Content-Type', 'application/json');
      res.writeHead(200).end(answer.result);
      return;
    }
    const error: LambdaErrorObject =
      'error' in answer
        ? answer.error
        : { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD} bytes).` };
    res.setHeader('X-Amz-Function-Error', 'Unhandled');
    send(res, 200, error);
  }

  /**
   * Runs one event in a warm container of the current revision, or a cold one; `dispatched` is
   * called once the event is handed to the container.
   */
  private async run(fn: LambdaFunction, event: string, requestId: string, dispatched?: () => void): Promise<Answer> {
    let container = fn.idle.pop();
    if (container) fn.warmStarts++;
    else {
      container = this.spawn(fn);
      fn.coldStarts++;
    }
    try {
      await container.ready;
    } catch (error) {
      kill(fn, container);
      return { error: error as LambdaErrorObject };
    }
    const c = container;
    const timeoutMs = fn.config.Timeout * 1000;
    const answer = await new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => {
        c.settle = undefined;
        kill(fn, c);
        resolve({
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.config.Timeout.toFixed(2)} seconds`,
          },
        });
      }, timeoutMs);
      c.settle = (a) => {
        clearTimeout(timer);
        c.settle = undefined;
        resolve(a);
      };
      c.child.send({ event, requestId, deadline: Date.now() + timeoutMs });
      dispatched?.();
    });
    // A container that timed out or exited is gone already; one of an old revision goes now.
    if (c.revision === fn.revision && fn.containers.has(c)) fn.idle.push(c);
    else kill(fn, c);
    return answer;
  }

  private spawn(fn: LambdaFunction): Container {
    const { config } = fn;
    const child = fork(RUNTIME, [], {
      cwd: fn.root,
      execArgv: [],
      stdio: ['ignore', 2, 2, 'ipc'],
      env: {
        ...config.Variables,
        AWS_LAMBDA_FUNCTION_NAME: config.FunctionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.MemorySize),
        AWS_EXECUTION_ENV: `AWS_Lambda_${config.Runtime}`,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        // The execution role's temporary credentials, as Lambda gives them (the emulator checks none).
        AWS_ACCESS_KEY_ID: 'ASIAEMULATOR',
        AWS_SECRET_ACCESS_KEY: 'emulated',
        AWS_SESSION_TOKEN: 'emulated',
        LAMBDA_TASK_ROOT: fn.root,
        _HANDLER: config.Handler,
        TZ: ':UTC',
      },
    });
    let initDone: ((error?: LambdaErrorObject) => void) | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done({ errorType: 'Runtime.InitTimeout', errorMessage: `the handler module did not load within ${INIT_TIMEOUT_MS} ms` }), INIT_TIMEOUT_MS);
      const done = (error?: LambdaErrorObject): void => {
        clearTimeout(timer);
        initDone = undefined;
        if (error) reject(error);
        else resolve();
      };
      initDone = done;
    });
    const container: Container = { child, revision: fn.revision, ready, settle: undefined };
    fn.containers.add(container);
    child.on('message', (msg: { ready?: true; initError?: LambdaErrorObject; result?: string; error?: LambdaErrorObject }) => {
      if (msg.ready) initDone?.();
      else if (msg.initError) initDone?.(msg.initError);
      else if (msg.result !== undefined) container.settle?.({ result: msg.result });
      else if (msg.error) container.settle?.({ error: msg.error });
    });
    child.on('exit', (code, signal) => {
      forget(fn, container);
      const error = { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}` };
      initDone?.(error);
      container.settle?.({ error });
    });
    child.on('error', () => undefined);
    return container;
  }
}

/** Drops a container from its function's books: it takes no invocation and counts as gone. */
function forget(fn: LambdaFunction, c: Container): void {
  fn.containers.delete(c);
  const i = fn.idle.indexOf(c);
  if (i >= 0) fn.idle.splice(i, 1);
}

/** Kills a container; it is gone at once, whenever its process exits. */
function kill(fn: LambdaFunction, c: Container): void {
  forget(fn, c);
  c.child.kill('SIGKILL');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (value !== null && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // Answered below, as any body that is not a JSON object.
  }
  throw invalid('the request body is not a JSON object');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.setHeader('Content-Type', 'application/json');
  res.writeHead(status).end(JSON.stringify(body));
}

function invalid(message: string): ApiError {
  return new ApiError(400, 'InvalidParameterValueException', message);
}

function unknownOperation(req: IncomingMessage): ApiError {
  return new ApiError(404, 'UnknownOperationException', `the Lambda emulator does not implement ${req.method} ${req.url}`);
}

function arn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

/** A function's name from a path segment, which may also be its ARN. */
function functionName(segment: string): string {
  return segment.match(/^arn:aws:lambda:[^:]+:\d+:function:([^:]+)$/)?.[1] ?? segment;
}

function applyConfiguration(config: Configuration, input: Record<string, unknown>): void {
  if (input.Timeout !== undefined) {
    if (!Number.isInteger(input.Timeout) || (input.Timeout as number) < 1 || (input.Timeout as number) > 900) throw invalid('Timeout must be 1-900 seconds');
    config.Timeout = input.Timeout as number;
  }
  if (input.MemorySize !== undefined) {
    if (!Number.isInteger(input.MemorySize) || (input.MemorySize as number) < 128) throw invalid('MemorySize must be an integer >= 128');
    config.MemorySize = input.MemorySize as number;
  }
  const variables = (input.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
  if (variables !== undefined) config.Variables = { ...variables };
}

function configuration(fn: LambdaFunction): Record<string, unknown> {
  const { config } = fn;
  return {
    FunctionName: config.FunctionName,
    FunctionArn: arn(config.FunctionName),
    Runtime: config.Runtime,
    Role: config.Role,
    Handler: config.Handler,
    CodeSize: fn.codeSize,
    CodeSha256: fn.codeSha256,
    Timeout: config.Timeout,
    MemorySize: config.MemorySize,
    LastModified: fn.lastModified,
    Version: '$LATEST',
    Environment: { Variables: config.Variables },
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    State: 'Active',
    LastUpdateStatus: 'Successful',
  };
}
