import { badArgs } from './validate.ts';

/** How the node treats one remotely callable method. */
export interface MethodSpec {
  /** The method never changes the object, so parked calls need not be retried after it. */
  readonly readonly?: boolean;
  /** Allowed argument counts `[min, max]`; calls outside get `EBAD_ARGS` before running. */
  readonly arity?: readonly [number, number];
}

/** A constructor of server-side object state. */
export type StateClass = new (...args: any[]) => object;

/**
 * A type of shared object as a node knows it: how to create one and which methods may be called.
 * Built-in and user-defined types are both described by this; the node has one path for all.
 */
export interface ObjectType {
  /** Name used on the wire and in handles (e.g. `AtomicLong`). */
  readonly name: string;
  /** The class whose instances hold the state; its methods run on the node. */
  readonly stateClass: StateClass;
  /** The callable methods. Anything not listed (and every symbol-keyed member) is unreachable. */
  readonly methods: ReadonlyMap<string, MethodSpec>;
  /** Constructor argument counts `[min, max]`, checked before construction. */
  readonly initArity?: readonly [number, number];
  /**
   * The methods validate everything before they mutate, so a call that throws has changed
   * nothing and the node need not take a rollback point of the object before each call. The
   * built-ins are written this way; user types get one unless they declare it.
   */
  readonly atomic?: boolean;
  /**
   * Classes besides `stateClass` whose instances the state may hold, in the order the type
   * declares them: the state codec carries an instance as its class's index in this list and
   * restores its prototype from the receiving node's list (so every node must load the same
   * code). User types always have one (maybe empty); built-in types hold no other classes.
   */
  readonly nestedClasses?: readonly StateClass[];
  /**
   * A lattice type (see `lattice-object.ts`): clients cache its objects and keep each cached key
   * subscribed by a parked `watch` call, which the node counts as a cache subscription.
   */
  readonly lattice?: boolean;
}

/** Options of {@link defineType}. */
export interface TypeOptions {
  /** See {@link ObjectType.initArity}. */
  initArity?: readonly [number, number];
  /** See {@link ObjectType.atomic}. */
  atomic?: boolean;
  /** See {@link ObjectType.nestedClasses}. */
  nestedClasses?: readonly StateClass[];
  /** See {@link ObjectType.lattice}. */
  lattice?: boolean;
}

/** Describes a type from its class and a table of its callable methods. */
export function defineType(
  name: string,
  stateClass: StateClass,
  methods: Record<string, MethodSpec>,
  opts: TypeOptions = {},
): ObjectType {
  for (const m of Object.keys(methods)) {
    if (typeof stateClass.prototype[m] !== 'function') throw new Error(`${name}.${m} is not a method`);
  }
  return { name, stateClass, methods: new Map(Object.entries(methods)), ...opts };
}

/** Checks an argument count against a `[min, max]` range. */
export function checkArity(args: readonly unknown[], arity: readonly [number, number] | undefined, what: string): void {
  if (!arity) return;
  const [min, max] = arity;
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw badArgs(`${what} takes ${want} argument${max === 1 ? '' : 's'}, got ${args.length}`);
  }
}

/** The types a node can create, by name. */
export class TypeRegistry {
  private readonly types = new Map<string, ObjectType>();

  /**
   * @param fallback consulted for names not added here: the embedded node of `skein run` looks up
   * the app's classes as they are registered, even after the node started.
   */
  constructor(
    types: Iterable<ObjectType> = [],
    private readonly fallback?: (name: string) => ObjectType | undefined,
  ) {
    for (const t of types) this.add(t);
  }

  /** Adds a type; registering a different type under a taken name throws. */
  add(type: ObjectType): void {
    const existing = this.types.get(type.name);
    if (existing && existing.stateClass !== type.stateClass) {
      throw new Error(`a different shared type named '${type.name}' is already registered`);
    }
    this.types.set(type.name, type);
  }

  /** The type of that name, if loaded. */
  get(name: string): ObjectType | undefined {
    return this.types.get(name) ?? this.fallback?.(name);
  }

  /** Names of all loaded types. */
  names(): string[] {
    return [...this.types.keys()];
  }
}
