import type { Client } from '../client/client.ts';
import { createClient } from './connect.ts';

let current: Client | undefined;

/**
 * The client used by handles that name none. Created on first use from `SKEIN_DSO` and
 * `SKEIN_TOKEN`; inside a cloud thread, and under `skein run`, the runtime sets it.
 */
export function defaultClient(): Client {
  current ??= createClient();
  return current;
}

/** Makes `client` the default client (the runtime does this); `undefined` forgets it. */
export function setDefaultClient(client: Client | undefined): void {
  current = client;
}
