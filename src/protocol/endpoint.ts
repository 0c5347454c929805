/** Where a DSO node listens. */
export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
}

/** Default port of `skein dso`. */
export const DEFAULT_PORT = 7070;

/**
 * Parses `skein://host:port` (or `skeins://` for TLS); several seeds may be given comma-separated.
 * A bare `host:port` means `skein://`. Throws a `TypeError` naming the bad part.
 */
export function parseEndpoints(urls: string): Endpoint[] {
  const parts = urls.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new TypeError('no DSO address given');
  return parts.map(parseEndpoint);
}

function parseEndpoint(raw: string): Endpoint {
  const withScheme = raw.includes('://') ? raw : `skein://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`'${raw}' is not a DSO address; expected skein://host:port`);
  }
  if (url.protocol !== 'skein:' && url.protocol !== 'skeins:') {
    throw new TypeError(`'${raw}' has scheme ${url.protocol}; expected skein:// or skeins://`);
  }
  if (!url.hostname) throw new TypeError(`'${raw}' names no host`);
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port, tls: url.protocol === 'skeins:' };
}

/** The URL form of an endpoint. */
export function formatEndpoint(e: Endpoint): string {
  return `${e.tls ? 'skeins' : 'skein'}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}
