import { Client, type ClientOptions } from '../client/client.ts';
import { AddressError } from '../errors/address-error.ts';

/** Options of {@link connect}. */
export interface ConnectOptions extends Omit<ClientOptions, 'url' | 'refs'> {
  /** `skein://host:port` (or `skeins://`), several seeds comma-separated; default `SKEIN_DSO`. */
  url?: string;
}

/**
 * Opens a client to the DSO and waits for the handshake. `url` and `token` default to the
 * `SKEIN_DSO` and `SKEIN_TOKEN` environment variables. Rejects with `AddressError` if the address
 * is missing or not a `skein://host:port` URL, `AuthError` on a bad token, `ConnectionClosedError`
 * if no seed answers (at once: a client that never reached a node does not retry).
 */
export async function connect(opts: ConnectOptions = {}): Promise<Client> {
  const client = createClient(opts);
  await client.ready();
  return client;
}

/**
 * Builds a client without opening it (it connects at its first call). Throws `AddressError` if the
 * address is missing or not a `skein://host:port` URL.
 */
export function createClient(opts: ConnectOptions = {}): Client {
  const url = opts.url ?? process.env.SKEIN_DSO;
  if (!url) throw new AddressError('no DSO address: pass { url: "skein://host:port" } or set SKEIN_DSO');
  const token = opts.token ?? process.env.SKEIN_TOKEN;
  return new Client({ ...opts, url, ...(token ? { token } : {}) });
}
