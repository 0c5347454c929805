/**
 * The contract of a lattice type (a state-based CRDT) as both ends use it: the node folds the
 * writes of caches into an object's state with it, and a cache shows its own writes on top of the
 * node's state with it. Pure functions over plain data (msgpack-encodable: no classes), so a state
 * travels and is journaled like any value.
 *
 * How the pieces meet: a write made in a process becomes a *delta* at once (the op's effect, as
 * small as it can be); the process's cache applies it to its copy and flushes it to the object's
 * owner, which *absorbs* it (exactly once: the call machinery drops resends) and gives the result
 * a new version number. A cache replaces its copy by a newer node state (it never joins two node
 * states), then applies the deltas the node has not absorbed yet.
 */

/** Who makes a write: one id per cache (per process), unique, stable while the process lives. */
export interface WriteStamp {
  /** The writing cache's id. */
  readonly writer: string;
  /**
   * A hybrid logical clock reading `[wall ms, counter]`: strictly increasing per writer and
   * greater than `after` (a timestamp the writer has seen), so its write wins over what it saw.
   */
  tick(after?: readonly [number, number]): readonly [number, number];
  /** A tag unique over every write of every writer (`writer:n`). */
  tag(): string;
}

/**
 * One lattice type. `S` is the state, `D` a delta (often an `S`). `join` is commutative,
 * associative and idempotent; `apply` and `absorb` agree with it for every type whose deltas are
 * states.
 */
export interface Lattice<S, D = S> {
  /** The type's name on the wire and in handles (`PnCounter`). */
  readonly name: string;
  /** The state of a new object from the handle's init args; bad args throw `EBAD_ARGS`. */
  initial(init: readonly unknown[]): S;
  /** The least upper bound of two states. Pure: never mutates its inputs. */
  join(a: S, b: S): S;
  /**
   * One delta with the effect of `a` then `b` (both made by one writer, in that order): a cache
   * sends a key's pending writes as one. `join` where deltas are states. Pure.
   */
  combine(a: D, b: D): D;
  /**
   * The state keeps an entry per writer (a `PnCounter`'s totals), which `compact` folds away for
   * writers that retired: a cache that wrote the key retires its writer id there when it closes.
   */
  readonly perWriter?: boolean;
  /**
   * The highest write timestamp a state holds, for types ordered by their writers' clocks: a
   * writer that saw it stamps its next write above it. Absent for the other types.
   */
  clock?(s: S): readonly [number, number];
  /**
   * The node folds a cache's delta into the state. `version` is the version number the result
   * will carry (types that stamp writes with it, such as `CausalRegister`'s dots, use it). Pure.
   */
  absorb(s: S, delta: D, version: number): S;
  /** A cache shows a delta the node has not absorbed yet on top of a node state. Pure. */
  apply(s: S, delta: D): S;
  /**
   * The node shrinks a state after absorbing, to an equivalent one with less metadata
   * (tombstones the node no longer needs, writers that retired). `retired` names writers that
   * will never write again. Pure; returns `s` itself when nothing changes.
   */
  compact(s: S, retired: readonly string[]): S;
  /** A state that came off the wire, validated (`EBAD_ARGS` when malformed). */
  checkState(x: unknown): S;
  /** A delta that came off the wire, validated (`EBAD_ARGS` when malformed). */
  checkDelta(x: unknown): D;
  /** An estimate of the bytes a state holds, for the cache's bound. */
  bytes(s: S): number;
  /** The state as a user reads it in `skein inspect` (plain data, small). */
  describe(s: S): unknown;
}
