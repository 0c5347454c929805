import { SkeinError } from './skein-error.ts';

/**
 * A server could not listen on its address. `code` tells why:
 * - `EADDRINUSE`: another process (or another server of this one) holds the port;
 * - `ELISTEN`: any other reason, such as an address that is not this machine's or a port that
 *   needs privileges (the system error is the cause).
 *
 * The message names the server, the host and the port.
 */
export class ListenError extends SkeinError {
  constructor(what: string, host: string, port: number, cause: unknown) {
    const inUse = (cause as { code?: unknown } | undefined)?.code === 'EADDRINUSE';
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    super(
      inUse ? 'EADDRINUSE' : 'ELISTEN',
      inUse ? `${what} cannot listen on ${where}: the port is in use` : `${what} cannot listen on ${where}: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}
