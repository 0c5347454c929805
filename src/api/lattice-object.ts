import type { Client } from '../client/client.ts';
import { currentSession, type Session } from '../client/session.ts';
import type { Lattice, WriteStamp } from '../lattice/lattice.ts';
import { SharedObject } from './shared-object.ts';

/**
 * How a lattice handle names its object: the key alone, or with a client, a session (see
 * {@link Session}) and `forceNew`.
 */
export type LatticeKey = string | { key: string; client?: Client; session?: Session; forceNew?: boolean };

/**
 * Base of the lattice handles (`LwwRegister`, `PnCounter`, ...): objects whose state only grows by
 * a merge that is commutative, associative and idempotent, so copies of them live in each
 * process's cache beside its threads. A read is answered from the cache when the key is there
 * (subscribed: the node pushes every newer state); a write is merged into the cache at once and
 * reaches the node within the client's `cacheFlushMs` (default 10 ms), and always before the
 * thread's result is reported. What a read may return is the session's level (the handle's
 * `session`, else the one the code runs in, else `'eventual'`).
 *
 * Unlike the linearizable types, a lattice object is not "one call at a time": two processes that
 * write at once both keep their writes, merged.
 */
export abstract class LatticeObject<S, D> extends SharedObject {
  readonly #session: Session | undefined;

  protected constructor(
    private readonly lattice: Lattice<S, D>,
    key: LatticeKey,
    init: readonly unknown[],
  ) {
    super(lattice.name, typeof key === 'string' ? key : { key: key.key, ...(key.client ? { client: key.client } : {}), ...(key.forceNew ? { forceNew: true } : {}) }, init);
    this.#session = typeof key === 'string' ? undefined : key.session;
  }

  /** The session this handle's calls keep: its own, else the one the calling code runs in. */
  get session(): Session | undefined {
    return this.#session ?? currentSession();
  }

  /** Reads the state as the session may see it, mapped by `read`. */
  protected view<T>(read: (state: S) => T): Promise<T> {
    try {
      const out = this.client.lattices.read(this, this.lattice as Lattice<unknown, unknown>, this.session, read as (s: unknown) => T);
      return out instanceof Promise ? out : Promise.resolve(out);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Makes the write `op` computes from the state this process sees; resolves once merged locally. */
  protected update(op: (state: S, stamp: WriteStamp) => D): Promise<void> {
    try {
      const out = this.client.lattices.write(this, this.lattice as Lattice<unknown, unknown>, this.session, op as (s: unknown, stamp: WriteStamp) => unknown);
      return out instanceof Promise ? out : Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
