import { AddressError } from '../errors/address-error.ts';
import { Client } from './client.ts';

let current: Client | undefined;

/**
 * The client used by handles that name none. Created on first use from `SKEIN_DSO` and
 * `SKEIN_TOKEN`; inside a cloud thread, and under `skein run`, the runtime sets it. Throws an
 * `AddressError` saying what to set when there is none, or when `SKEIN_DSO` is not an address.
 */
export function defaultClient(): Client {
  const client = configuredDefaultClient();
  if (!client) throw new AddressError('no DSO address: pass { url: "skein://host:port" } or set SKEIN_DSO');
  return client;
}

/** The default client if one is set or `SKEIN_DSO` names a DSO; undefined otherwise. */
export function configuredDefaultClient(): Client | undefined {
  const url = process.env.SKEIN_DSO;
  if (!current && url) {
    const token = process.env.SKEIN_TOKEN;
    current = new Client({ url, ...(token ? { token } : {}) });
  }
  return current;
}

/** Makes `client` the default client (the runtime does this); `undefined` forgets it. */
export function setDefaultClient(client: Client | undefined): void {
  current = client;
}
