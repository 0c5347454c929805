import { describe } from '../errors/describe-value.ts';
import { ProtocolError } from '../errors/protocol-error.ts';
import { Op, type AckRequest, type ByeRequest, type KeysRequest, type Request } from './messages.ts';

/**
 * A request a node cannot serve: the {@link ProtocolError} that answers it, and the id to answer
 * it under. The id is the request's own once it has a valid one; 0 (a notice about the
 * connection) when it has none to answer: not an array, too short, a bad id, or a malformed ack.
 */
export class MalformedRequest {
  constructor(
    readonly id: number,
    readonly error: ProtocolError,
  ) {}
}

/** The longest wait a call may ask for: the most a Node timer accepts. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Reads one request of a frame as the node serves it: the typed tuple it is, or a
 * {@link MalformedRequest}. Each kind's fields are checked, extra fields are ignored, and the
 * request is answered as it came (the same array), except for two normalised forms: a keys request
 * without a prefix lists every key (`''`), and an ack keeps only the ids that are numbers.
 */
export function parseRequest(req: unknown): Request | MalformedRequest {
  if (!Array.isArray(req) || req.length < (req[0] === Op.Bye ? 1 : 2)) {
    return new MalformedRequest(0, new ProtocolError('a request must be an array [op, id, ...]'));
  }
  const op = req[0] as unknown;
  if (op === Op.Ack) return ack(req);
  if (op === Op.Bye) return req as ByeRequest;
  const id = req[1] as unknown;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    return new MalformedRequest(0, new ProtocolError('a request id must be a positive integer'));
  }
  const malformed = (message: string): MalformedRequest => new MalformedRequest(id, new ProtocolError(message));
  switch (op) {
    case Op.Call: {
      const [, , type, key, method, args, init, forceNew, timeoutMs] = req as unknown[];
      if (typeof type !== 'string' || typeof key !== 'string' || typeof method !== 'string' || !Array.isArray(args)) {
        return malformed('a call is [1, id, type, key, method, args, init?, forceNew?, timeoutMs?]');
      }
      if (init != null && !Array.isArray(init)) return malformed('init args must be an array or null');
      if (forceNew != null && typeof forceNew !== 'boolean') return malformed('forceNew must be a boolean');
      if (timeoutMs != null && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0) || timeoutMs > MAX_TIMEOUT_MS)) {
        return malformed('timeoutMs must be a number from 0 to 2^31-1');
      }
      return req as Request;
    }
    case Op.Destroy:
      return typeof req[2] === 'string' ? (req as Request) : malformed('destroy takes a string key');
    case Op.Keys: {
      const prefix = (req[2] as unknown) ?? '';
      if (typeof prefix !== 'string') return malformed('keys takes a string prefix');
      return prefix === req[2] ? (req as KeysRequest) : [Op.Keys, id, prefix];
    }
    case Op.Describe:
      return typeof req[2] === 'string' ? (req as Request) : malformed('describe takes a string key');
    case Op.Ping:
    case Op.Info:
    case Op.Topology:
      return req as Request;
    default:
      return malformed(`unknown request kind ${describe(op)}`);
  }
}

/** `[7, ids]`, keeping only the ids that are numbers (no other id names a reply), or a notice. */
function ack(req: unknown[]): AckRequest | MalformedRequest {
  const ids = req[1] as unknown;
  if (!Array.isArray(ids)) return new MalformedRequest(0, new ProtocolError('an ack is [7, ids]'));
  if (ids.every((id) => typeof id === 'number')) return req as AckRequest;
  return [Op.Ack, ids.filter((id): id is number => typeof id === 'number')];
}
