import { SkeinError } from './skein-error.ts';

/**
 * The peer broke the wire protocol: a malformed or oversize frame, an unknown message kind, or a
 * protocol version the other side does not speak. `code` tells which (`EPROTO`, `EFRAME_TOO_LARGE`,
 * `EVERSION`).
 */
export class ProtocolError extends SkeinError {
  constructor(message: string, code: 'EPROTO' | 'EFRAME_TOO_LARGE' | 'EVERSION' = 'EPROTO') {
    super(code, message);
  }
}
