import { registerHandle } from '../client/handle-registry.ts';
import type { ObjectType, StateClass } from '../objects/object-type.ts';
import { registerUserType, userType, type UserTypeOptions } from '../objects/user-types.ts';
import { SharedObject, type ObjectKey, type WaitOptions } from './shared-object.ts';

/** `K` when it names a method of `T` that a handle calls remotely, else `never`. */
type RemoteName<T, K extends keyof T> = K extends `_${string}` ? never : T[K] extends (...args: any[]) => any ? K : never;

/**
 * The remote methods of a class `T`: each takes the same arguments and returns a Promise. Names
 * starting with `_` stay on the node, as {@link sharedClass} says.
 */
export type RemoteMethods<T> = {
  [K in keyof T as RemoteName<T, K>]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** A handle of a user-defined shared object: its class's methods, run on the node. */
export type SharedHandle<T> = SharedObject &
  RemoteMethods<T> & {
    /**
     * The same methods with call options: `await buffer.withOptions({ timeoutMs: 500 }).take()`
     * rejects with `TimeoutError` if `take` is still parked in `blockUntil` after 500 ms.
     */
    withOptions(opts: WaitOptions): RemoteMethods<T>;
  };

/** What {@link sharedClass} returns: a handle constructor, typed from the class. */
export interface SharedClass<C extends StateClass> {
  /**
   * A handle on the object at `key`; `args` are the class's constructor args, used when the
   * object is created (first call) and ignored if it exists.
   */
  new (key: ObjectKey, ...args: ConstructorParameters<C>): SharedHandle<InstanceType<C>>;
  /** The type a node needs to run these objects: pass it in `startNode({ objects })`. */
  readonly objectType: ObjectType;
}

/**
 * Turns a class into a shared object type. Instances live on a DSO node; every method runs there,
 * one call at a time per object (linearizable), and the handle's methods return Promises.
 *
 * ```ts
 * export const Counter = sharedClass('Counter', class {
 *   n = 0;
 *   add(k: number) { this.n += k; return this.n; }
 *   atLeast(k: number) { blockUntil(this.n >= k); return this.n; }   // parks until true
 * });
 * const c = new Counter('hits');
 * await c.add(2);
 * ```
 *
 * Rules for the class, because its methods are re-executed (re-runs after `blockUntil`, and
 * replicas later):
 * - methods are synchronous and deterministic: no `await`, no I/O, no clock, no randomness (async
 *   and generator methods are refused here; a method returning a Promise fails the call);
 * - call `blockUntil(condition)` before mutating: a parked call re-runs from the start;
 * - a method that throws rejects the caller with the error's name and message, and the object is
 *   put back exactly as it was before the call (the node takes a rollback point first; declare
 *   `{ atomic: true }` if every method validates before it mutates, to skip that cost);
 * - fields may hold msgpack values and handles of other shared objects (kept as references);
 *   keep state in ordinary fields: `#private` fields are out of the rollback point's reach, so a
 *   failed call does not put them back;
 * - instances of other classes in the state (helpers such as a `Stats`) are declared with
 *   `{ classes: [Stats] }`, or the object cannot move to another member or into a snapshot;
 * - methods named `_x` (and `#private` ones) stay on the node: helpers, not callable remotely
 *   (TypeScript's `private` exists only at compile time). Functions in fields (`f = () => ...`)
 *   are not methods either, although the handle's type shows them.
 *
 * The node must know the class: `skein dso --objects <module>` or `startNode({ objects })`; the
 * embedded node of `skein run` sees every class the app registers.
 */
export function sharedClass<C extends StateClass>(name: string, cls: C, opts: UserTypeOptions = {}): SharedClass<C> {
  const objectType = userType(name, cls, opts);
  registerUserType(objectType);
  const methods = [...objectType.methods.keys()];

  class Handle extends SharedObject {
    static readonly objectType = objectType;
    constructor(key: ObjectKey, ...args: unknown[]) {
      super(name, key, args);
    }
    withOptions(wait: WaitOptions): object {
      const view: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
      for (const m of methods) view[m] = (...args) => this.invoke(m, args, wait);
      return view;
    }
  }
  for (const m of methods) {
    Object.defineProperty(Handle.prototype, m, {
      value: function (this: Handle, ...args: unknown[]) {
        return this.invoke(m, args);
      },
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(Handle, 'name', { value: name });
  registerHandle(name, Handle as never);
  return Handle as unknown as SharedClass<C>;
}
