import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseEndpoints } from '../protocol/endpoint.ts';
import { UsageError } from './usage-error.ts';

/** The options a command declares, as `node:util` `parseArgs` takes them. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What {@link parseCommandLine} answers: `parseArgs`'s result for the command's options. */
export type ParsedCommandLine<O extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: boolean }>>;

/**
 * Parses a command line strictly (unknown options, a missing value, and positionals where the
 * command takes none are errors) with `node:util` `parseArgs`; its errors become one-line
 * {@link UsageError}s.
 */
export function parseCommandLine<const O extends OptionSpecs>(args: string[], options: O, allowPositionals = false): ParsedCommandLine<O> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    throw new UsageError(parseArgsReason((err as Error).message));
  }
}

/** `parseArgs`'s message said shortly (it runs to three lines for a value that starts with '-'). */
function parseArgsReason(message: string): string {
  let m: RegExpMatchArray | null;
  if ((m = message.match(/^Unknown option '([^']*)'/))) return `unknown option '${m[1]}'`;
  if ((m = message.match(/^Unexpected argument '([^']*)'/))) return `unexpected argument '${m[1]}'`;
  if ((m = message.match(/^Option '(--[^' ]+)(?: <value>)?' argument missing/))) return `${m[1]} needs a value`;
  if ((m = message.match(/^Option '(--[^' ]+)' argument is ambiguous/))) return `${m[1]} needs a value (one that starts with '-' is written ${m[1]}=-N)`;
  if ((m = message.match(/^Option '(--[^' ]+)' does not take an argument/))) return `${m[1]} takes no value`;
  return message.split('\n')[0]!.replace(/\.$/, '');
}

/** The inclusive bounds of an integer option. */
export interface IntRange {
  /** Default 0. */
  min?: number;
  /** Default `Number.MAX_SAFE_INTEGER`. */
  max?: number;
}

/**
 * The integer option `--name` given as `raw` (undefined when it was not given). Only decimal digits
 * are a number (`''`, `-1`, `0x10`, `1e3` and `1.5` are not); a value outside `range` is a
 * {@link UsageError} that states the range.
 */
export function intOption(raw: string | undefined, name: string, range: IntRange = {}): number | undefined {
  if (raw === undefined) return undefined;
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be ${describeRange(min, max)}, got '${raw}'`);
  }
  return n;
}

function describeRange(min: number, max: number): string {
  if (max < Number.MAX_SAFE_INTEGER) return `an integer from ${min} to ${max}`;
  if (min === 0) return 'a non-negative integer';
  if (min === 1) return 'a positive integer';
  return `an integer of at least ${min}`;
}

/**
 * The DSO a command talks to: `--dso` given as `flag`, else `SKEIN_DSO` (unset or empty: undefined).
 * An address that is not `skein://host:port` is a {@link UsageError} naming where it came from.
 */
export function dsoOption(flag: string | undefined): string | undefined {
  const [url, from] = flag !== undefined ? [flag, '--dso'] : [process.env.SKEIN_DSO || undefined, 'SKEIN_DSO'];
  if (url === undefined) return undefined;
  try {
    parseEndpoints(url);
  } catch (err) {
    throw new UsageError(`${from}: ${(err as Error).message}`);
  }
  return url;
}

/**
 * The etcd endpoints of a cluster: `--etcd` given as `flag`, else `SKEIN_ETCD` (unset or empty:
 * undefined); each must be an etcd client URL (`http://host:port`, or https), comma-separated.
 */
export function etcdOption(flag: string | undefined): string[] | undefined {
  const raw = flag ?? (process.env.SKEIN_ETCD || undefined);
  if (raw === undefined) return undefined;
  const endpoints = raw.split(',').map((e) => e.trim());
  for (const e of endpoints) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(e)) throw new UsageError(`--etcd takes etcd client URLs like http://127.0.0.1:2379, comma-separated; got '${e}'`);
  }
  return endpoints;
}
