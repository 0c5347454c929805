import type { RemoteMethods } from './shared-class.ts';
import { SharedObject, type WaitOptions } from './shared-object.ts';

/** The names of the methods a handle may call on an object whose node-side state is an `S`. */
export type StateMethod<S> = keyof RemoteMethods<S> & string;

/** The arguments `S`'s method `M` takes. */
export type StateArgs<S, M extends StateMethod<S>> = RemoteMethods<S>[M] extends (...args: infer A) => unknown ? A : never;

/**
 * Base of the built-in handles (`AtomicLong`, `SharedMap`, ...): a {@link SharedObject} whose
 * calls the compiler checks against `S`, the object's node-side state class (`src/objects`), as
 * {@link sharedClass} does for user classes. A method name that is not a public method of `S`, or
 * arguments that `S`'s method cannot take (too many, too few), fail `tsc`; at run time the call is
 * `SharedObject`'s, unchanged.
 */
export abstract class BuiltinObject<S extends object> extends SharedObject {
  /** Calls the method `method` of the object's state on its node, with `args`. */
  protected override invoke<T, M extends StateMethod<S> = StateMethod<S>>(method: M, args: StateArgs<S, M>, wait?: WaitOptions): Promise<T> {
    return super.invoke(method, args, wait);
  }
}
