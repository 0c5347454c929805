import type { Client, CallTarget } from '../client/client.ts';
import { ObjectRef } from '../protocol/codec.ts';
import { defaultClient } from '../client/default-client.ts';
import { atCallSite } from './call-site.ts';

/**
 * How a handle names its object: the key alone (default client), or with a client and
 * `forceNew` (replace any existing object at the first call).
 */
export type ObjectKey = string | { key: string; client?: Client; forceNew?: boolean };

/** Options of the calls that can block on the node. */
export interface WaitOptions {
  /** Give up after this many milliseconds with a `TimeoutError`; the call is withdrawn. */
  timeoutMs?: number;
}

/**
 * Base of every shared-object handle. A handle is a name, not a copy: creating one sends
 * nothing; the object is created on its node at the first call with the handle's init args, which
 * are ignored if it already exists. Every method is a call to the node. Handles are serializable:
 * passed as a task argument or stored in another shared object, they arrive as live handles. A
 * reference carries the type and key, not the init args: pass a handle on after its first call,
 * or the receiver cannot create an object whose type needs init args.
 */
export class SharedObject extends ObjectRef implements CallTarget {
  /** Constructor args sent with the first call. */
  readonly init: readonly unknown[];
  /** Whether the first call replaces an existing object. */
  readonly forceNew: boolean;
  /** @internal Set once the init args have been sent. */
  initSent = false;
  readonly #client: Client | undefined;

  protected constructor(type: string, key: ObjectKey, init: readonly unknown[]) {
    const spec = typeof key === 'string' ? { key } : key;
    if (typeof spec?.key !== 'string' || spec.key.length === 0) {
      throw new TypeError(`a ${type} needs a non-empty string key`);
    }
    super(type, spec.key);
    let end = init.length;
    while (end > 0 && init[end - 1] === undefined) end--;
    this.init = init.slice(0, end);
    this.forceNew = spec.forceNew === true;
    this.#client = spec.client;
  }

  /** The client this handle calls through: its own, or the default client. */
  get client(): Client {
    return this.#client ?? defaultClient();
  }

  /** Removes the object from the DSO; resolves to whether it existed. */
  destroy(): Promise<boolean> {
    return this.client.destroy(this.key);
  }

  /**
   * Calls a method of the object on its node. With the client's `callSites`, a failure rejects with
   * a stack that shows the caller's own frames (see {@link atCallSite}).
   */
  protected invoke<T>(method: string, args: unknown[], wait?: WaitOptions): Promise<T> {
    const client = this.client;
    const call = client.call(this, method, args, timeout(wait)) as Promise<T>;
    return client.callSites ? atCallSite(call, () => `method ${method} of ${this.type} '${this.key}'`) : call;
  }
}

function timeout(wait: WaitOptions | undefined): number | undefined {
  const ms = wait?.timeoutMs;
  if (ms === undefined) return undefined;
  if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeError(`timeoutMs must be a number >= 0, got ${String(ms)}`);
  return Math.min(Math.ceil(ms), 2 ** 31 - 1);
}
