import { AddressError } from '../errors/address-error.ts';

/** Where a DSO node listens. */
export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
}

/** Default port of `skein dso`. */
export const DEFAULT_PORT = 7070;

/** The accepted form of a DSO address, as error messages name it. */
const ADDRESS_FORM = 'skein://host:port (skeins:// for TLS)';

/**
 * Parses `skein://host:port` (or `skeins://` for TLS; the port defaults to {@link DEFAULT_PORT});
 * several seeds may be given comma-separated. Anything else (no scheme, another scheme, no host,
 * a port out of range) throws an {@link AddressError} naming the bad part and the accepted form.
 */
export function parseEndpoints(urls: string): Endpoint[] {
  if (typeof urls !== 'string') throw new AddressError(`a DSO address is a string like ${ADDRESS_FORM}, got ${typeof urls}`);
  const parts = urls.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new AddressError(`no DSO address given; expected ${ADDRESS_FORM}`);
  return parts.map(parseEndpoint);
}

function parseEndpoint(raw: string): Endpoint {
  if (!raw.includes('://')) {
    const hint = /^[\w.-]+:\d+$|^\[[\da-fA-F:.]+\]:\d+$/.test(raw) ? `; did you mean skein://${raw}?` : '';
    throw new AddressError(`'${raw}' is not a DSO address: it has no scheme; expected ${ADDRESS_FORM}${hint}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AddressError(`'${raw}' is not a DSO address; expected ${ADDRESS_FORM}`);
  }
  if (url.protocol !== 'skein:' && url.protocol !== 'skeins:') {
    throw new AddressError(`'${raw}' is not a DSO address: its scheme is ${url.protocol.slice(0, -1)}; expected ${ADDRESS_FORM}`);
  }
  if (!url.hostname) throw new AddressError(`'${raw}' names no host; expected ${ADDRESS_FORM}`);
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  if (port === 0) throw new AddressError(`'${raw}' names port 0; expected ${ADDRESS_FORM}`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port, tls: url.protocol === 'skeins:' };
}

/** The URL form of an endpoint. */
export function formatEndpoint(e: Endpoint): string {
  return `${e.tls ? 'skeins' : 'skein'}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}
