import { defineType, type MethodSpec, type ObjectType, type StateClass } from './object-type.ts';

/** Names a user type may not give a method: they belong to every handle. */
const RESERVED = new Set([
  'constructor', 'destroy', 'client', 'type', 'key', 'init', 'forceNew', 'initSent', 'withOptions', 'invoke',
  // Members JavaScript itself calls: a remote `then` would make handles thenables, a remote
  // `toJSON` would make JSON.stringify(handle) a Promise.
  'then', 'toString', 'toJSON', 'valueOf',
]);

/** How {@link userType} reads a class. */
export interface UserTypeOptions {
  /** Methods that never change the object: parked calls are not re-run after them. */
  readonly?: readonly string[];
  /**
   * Declares that every method validates before it mutates, so a throwing call has changed
   * nothing: the node then skips the rollback point it otherwise takes before each call.
   */
  atomic?: boolean;
  /**
   * Classes whose instances the state holds (helpers such as a `Stats` or an `Entry` kept in
   * fields), so the object can move to another node and into snapshots: their prototypes are
   * restored there (constructors are not run) and their own enumerable fields carried, as for
   * the class itself. Without this such an instance fails the move with a `SerializationError`.
   * Keep the order the same on every node: instances travel as an index into this list.
   */
  classes?: readonly (new (...args: any[]) => object)[];
}

/**
 * Built-ins whose contents live outside fields: declared as nested classes, they or their
 * subclasses would be carried without them. `%TypedArray%` covers every typed array.
 */
const SLOTTED: readonly (new (...args: any[]) => object)[] = [
  Map, Set, Date, RegExp, Error, Array, ArrayBuffer, DataView, Promise, WeakMap, WeakSet,
  Object.getPrototypeOf(Uint8Array) as new () => object,
];

/**
 * The callable methods of a class: its prototype chain's functions, but not accessors and not
 * names starting with `_` (TypeScript's `private` is compile-time only, so helpers meant to stay
 * on the node are named `_x` or made `#private`).
 */
export function methodNames(cls: StateClass): string[] {
  const names = new Set<string>();
  for (let proto = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      if (name !== 'constructor' && !name.startsWith('_') && typeof d.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/**
 * Describes a user class as an object type. Throws when the class cannot work as one: a method
 * that is async or a generator (methods run synchronously and deterministically on the node), a
 * method named like a handle member, or a `classes` entry that is not a class whose instances
 * the state codec can carry.
 */
export function userType(name: string, cls: StateClass, opts: UserTypeOptions = {}): ObjectType {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('a shared class needs a non-empty name');
  if (typeof cls !== 'function' || !cls.prototype) throw new TypeError(`sharedClass('${name}') needs a class`);
  const methods: Record<string, MethodSpec> = {};
  const readonly = new Set(opts.readonly ?? []);
  for (const m of methodNames(cls)) {
    if (RESERVED.has(m)) throw new TypeError(`${name}.${m}: '${m}' is reserved for handles; rename the method`);
    const kind = (cls.prototype[m] as { constructor: { name: string } }).constructor.name;
    if (kind !== 'Function') {
      throw new TypeError(
        `${name}.${m} is ${kind === 'AsyncFunction' ? 'async' : 'a generator'}; shared object methods run synchronously on the node (no await, I/O, clock or randomness)`,
      );
    }
    methods[m] = readonly.has(m) ? { readonly: true } : {};
  }
  for (const r of readonly) if (!(r in methods)) throw new TypeError(`${name}: readonly names '${r}', which is not a method`);
  return defineType(name, cls, methods, { atomic: opts.atomic === true, nestedClasses: nestedClasses(name, opts.classes) });
}

/** The `classes` option, checked: each a class whose instances the state codec can carry. */
function nestedClasses(name: string, classes: UserTypeOptions['classes']): StateClass[] {
  if (classes === undefined) return [];
  if (!Array.isArray(classes)) throw new TypeError(`sharedClass('${name}'): the classes option must be an array of classes`);
  return classes.map((c: unknown, i) => {
    if (typeof c !== 'function' || typeof c.prototype !== 'object' || c.prototype === null) {
      const what = typeof c === 'function' ? 'a function without a prototype' : c === null ? 'null' : `a ${typeof c}`;
      throw new TypeError(`sharedClass('${name}'): classes[${i}] is ${what}, not a class`);
    }
    const builtin = SLOTTED.find((b) => c === b || c.prototype instanceof b);
    if (builtin) {
      throw new TypeError(`sharedClass('${name}'): classes[${i}] ${c === builtin ? 'is' : `${c.name || '(anonymous)'} extends`} ${builtin.name}, whose contents are not fields (built-ins the state codec carries need no declaring)`);
    }
    return c as StateClass;
  });
}

const registered = new Map<string, ObjectType>();

/**
 * Records a user type in this process, so an embedded node and `skein dso --objects` find it.
 * The same name for a different class throws.
 */
export function registerUserType(type: ObjectType): void {
  const existing = registered.get(type.name);
  if (existing && existing.stateClass !== type.stateClass) {
    throw new Error(`a different shared class named '${type.name}' is already registered`);
  }
  registered.set(type.name, type);
}

/** The user type of that name registered in this process, if any. */
export function registeredUserType(name: string): ObjectType | undefined {
  return registered.get(name);
}

/** Every user type registered in this process so far. */
export function registeredUserTypes(): ObjectType[] {
  return [...registered.values()];
}
