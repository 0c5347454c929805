import type { Client } from '../../src/client/client.ts';

/**
 * Whether `call` has settled by the time `client` (the one it went through) answers a ping sent
 * after it. One connection's requests run in order, so a call that parked on the node is still
 * pending then, and one the node answered has settled.
 */
export async function settledBy(call: Promise<unknown>, client: Client): Promise<boolean> {
  let settled = false;
  call.then(
    () => (settled = true),
    () => (settled = true),
  );
  await client.ping();
  return settled;
}
