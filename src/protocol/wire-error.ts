import { ObjectLostError } from '../errors/object-lost-error.ts';
import { AuthError } from '../errors/auth-error.ts';
import { ConnectionClosedError } from '../errors/connection-closed-error.ts';
import { InvalidCallError, type InvalidCallCode } from '../errors/invalid-call-error.ts';
import { ProtocolError } from '../errors/protocol-error.ts';
import { RemoteError } from '../errors/remote-error.ts';
import { SkeinError } from '../errors/skein-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import type { WireError } from './messages.ts';

/**
 * Encodes an error for a reply. Skein errors keep their code; anything else thrown by an object's
 * method travels as `EREMOTE` with its own name, message and stack.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof SkeinError) return [err.code, err.name, err.message];
  if (err instanceof Error) return ['EREMOTE', err.name, err.message, err.stack ?? ''];
  let message: string;
  try {
    message = String(err);
  } catch {
    // A thrown value that refuses conversion (a null-prototype object, { toString: 1 }).
    message = Object.prototype.toString.call(err);
  }
  return ['EREMOTE', 'Error', message];
}

const INVALID_CALL = new Set(['EUNKNOWN_TYPE', 'EUNKNOWN_METHOD', 'EBAD_ARGS', 'ETYPE_MISMATCH']);

/** Rebuilds the typed error a reply carries. */
export function fromWireError(wire: WireError): SkeinError {
  const [code, name, message, stack] = wire;
  switch (code) {
    case 'ETIMEOUT':
      return new TimeoutError(message);
    case 'EAUTH':
      return new AuthError(message);
    case 'ECLOSED':
      return new ConnectionClosedError(message);
    case 'EPROTO':
    case 'EFRAME_TOO_LARGE':
    case 'EVERSION':
      return new ProtocolError(message, code);
    case 'EREMOTE':
      return new RemoteError(name, message, stack);
    case 'EOBJECT_LOST':
      return new ObjectLostError(message);
    default:
      if (INVALID_CALL.has(code)) return new InvalidCallError(code as InvalidCallCode, message);
      return new SkeinError(code, message);
  }
}
