import { ObjectRef } from '../protocol/codec.ts';
import type { Client } from './client.ts';

/** A handle class as the registry needs it: constructible from an object key alone. */
export type HandleClass = new (key: { key: string; client?: Client }) => ObjectRef & { initSent: boolean };

const classes = new Map<string, HandleClass>();

/** Registers the handle class of a type, so references to it decode as live handles. */
export function registerHandle(type: string, cls: HandleClass): void {
  classes.set(type, cls);
}

/**
 * The live handle for a reference that arrived from the DSO or in a thread's argument or result,
 * bound to `client` (the default client when undefined).
 * Its init args are unknown, so it assumes the object exists. A type this process has no handle
 * class for stays an {@link ObjectRef}, which still travels as a reference.
 */
export function handleFor(type: string, key: string, client: Client | undefined): unknown {
  const cls = classes.get(type);
  if (!cls) return new ObjectRef(type, key);
  const handle = new cls(client ? { key, client } : { key });
  handle.initSent = true;
  return handle;
}
