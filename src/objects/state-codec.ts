import { SerializationError } from '../errors/serialization-error.ts';
import { decode, encode, ObjectRef } from '../protocol/codec.ts';
import type { ObjectType, StateClass } from './object-type.ts';

/*
 * Format: `[MAGIC, VERSION, typeName, nodes, classNames]`, encoded with the wire codec; the names
 * of the type's nested classes let a receiver whose list differs refuse instead of restoring the
 * wrong prototype (bytes written before nested classes have none). Every object reached
 * from the state (and every -0 and bigint, which msgpack would flatten to 0 and a number) is one
 * node, so aliasing and cycles are kept as node indexes and no walk recurses: node 0 is the
 * instance, node 1 the array of extras. A node holding values lists them with `refs`, the
 * ascending positions among them that are node indexes; other values are primitives or
 * `ObjectRef`s, carried as they are.
 */
const MAGIC = 'skein-state';
const VERSION = 1;

const enum Kind {
  Object = 0, // [kind, proto, keys, values, refs]
  Array = 1, // [kind, values, refs]
  Map = 2, // [kind, keysAndValues, refs]
  Set = 3, // [kind, values, refs]
  Date = 4, // [kind, time]
  Buffer = 5, // [kind, start, bytes]: the bytes from `start` that values or views use
  View = 6, // [kind, viewType, bufferNode, byteOffset, length]
  BigInt = 7, // [kind, decimal]
  NegativeZero = 8, // [kind]
  RegExp = 9, // [kind, source, flags]
  Error = 10, // [kind, name, message, stack]
  Instance = 11, // [kind, classIndex, keys, values, refs]: an instance of a nested class
}

const enum Proto {
  Plain = 0,
  Null = 1,
  StateClass = 2,
}

/** Typed arrays and views by their code in the format; Buffer is Node's Uint8Array subclass. */
const VIEW_TYPES = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView, Buffer,
] as const;
const VIEW_CODES = new Map<object, number>(VIEW_TYPES.map((t, i) => [t.prototype, i]));

/** The Error classes carried, by name. */
const ERROR_TYPES = new Map<string, ErrorConstructor>(
  [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map((t) => [t.name, t]),
);

/** How a value is reached from its parent, for the path in an error. */
const enum Via {
  Root,
  Field,
  Index,
  SetItem,
  MapKey,
  MapValue,
}

/**
 * Encodes the state of `instance` (an instance of `type.stateClass`) plus `extras` (values that
 * may alias objects inside the state, e.g. a parked call's memo that the state's arrays also
 * hold), preserving shared references and cycles between all of them. Used to move an object to
 * another node with its state, for replication resync and for persistence snapshots.
 *
 * Carried: own enumerable string-keyed data fields, in their order; primitives (numbers with -0,
 * NaN and the infinities, bigints, strings, booleans, null, undefined); arrays (a hole comes back
 * as `undefined`; non-index fields of an array are not carried); plain and null-prototype objects;
 * instances of `type.stateClass` anywhere in the state, and of the classes in
 * `type.nestedClasses` (by their index in that list; other classes are refused, see below); Maps
 * and Sets in insertion order; Dates; RegExps (source and flags); Errors (name, message and stack); ArrayBuffers, typed arrays, DataViews and Buffers with their exact type;
 * references to other shared objects (`ObjectRef`, immutable, so they are not shared between
 * places after decoding). Views of one ArrayBuffer still share one buffer after decoding, but it
 * holds only the span of bytes the state uses (a view's `byteOffset` may shift), so a Buffer cut
 * from a pooled slab or a received frame does not carry its neighbours.
 *
 * Not carried: non-enumerable properties; `#private` fields (invisible from outside the class;
 * `sharedClass` documents that state belongs in ordinary fields); the extensibility or frozenness
 * of objects (they come back ordinary and writable).
 *
 * Throws {@link SerializationError}, with the path of the value (`Board state.cells[2].onHit`),
 * for what cannot be carried: a function or symbol as a value, a symbol-keyed field (a symbol has
 * no identity on another node), an accessor field (its getter is code), an instance of a class
 * neither the state class nor declared (WeakMap, Promise, undeclared user classes: the message
 * names the `classes` option that fixes it), or a SharedArrayBuffer. Encoding is the check that
 * an object can move: there is no cheaper one, since the walk is what finds the instances.
 */
export function encodeState(type: ObjectType, instance: object, extras: readonly unknown[] = []): Uint8Array {
  if (Object.getPrototypeOf(instance) !== type.stateClass.prototype) {
    throw new SerializationError(`${type.name} state`, `is not an instance of ${type.stateClass.name}`);
  }
  const walk = new Encoder(type);
  walk.node(instance, -1, Via.Root, 0);
  // A copy, so node 1 is the extras even if the caller passes an array the state holds.
  walk.node([...extras], -1, Via.Root, 1);
  walk.run();
  return encode([MAGIC, VERSION, type.name, walk.finish(), (type.nestedClasses ?? []).map((c) => c.name)]);
}

/**
 * Rebuilds what {@link encodeState} encoded for the same type: the instance, whose prototype is
 * `type.stateClass.prototype` (its constructor is not run) and whose fields are restored in their
 * original order, and the extras, sharing objects with the instance as they did when encoded.
 * Nested class instances get the prototype of this type's class at the same index of
 * `nestedClasses`. References to other shared objects come back as `ObjectRef`. Throws
 * {@link SerializationError} when the bytes are malformed, were encoded for another type, or
 * hold an instance of a nested class this type does not declare at that index (nodes running
 * different code).
 */
export function decodeState(type: ObjectType, bytes: Uint8Array): { instance: object; extras: unknown[] } {
  const where = `${type.name} state bytes`;
  let doc: unknown;
  try {
    doc = decode(bytes);
  } catch (err) {
    throw new SerializationError(where, `are malformed: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc) || doc[0] !== MAGIC || doc[1] !== VERSION || !Array.isArray(doc[3]) || !(doc[4] === undefined || Array.isArray(doc[4]))) {
    throw new SerializationError(where, 'are not an encoded state of this version');
  }
  if (doc[2] !== type.name) throw new SerializationError(where, `hold the state of a ${String(doc[2])}, not of a ${type.name}`);
  try {
    const made = new Decoder(type, where, doc[3] as unknown[], (doc[4] ?? []) as unknown[]).run();
    return { instance: made[0] as object, extras: made[1] as unknown[] };
  } catch (err) {
    if (err instanceof SerializationError) throw err;
    throw new SerializationError(where, `are malformed: ${(err as Error).message}`);
  }
}

/** One object's place in the walk: how to name it in an error. */
interface Origin {
  readonly parent: number;
  readonly via: Via;
  /** The field name, index or Map key it is reached by. */
  readonly key: unknown;
}

/** The path segment of `key` reached `via`: `.field`, `[3]`, `.get(k)`. */
function segment(via: Via, key: unknown): string {
  switch (via) {
    case Via.Root:
      return '';
    case Via.Field:
      return `.${String(key)}`;
    case Via.Index:
      return `[${String(key)}]`;
    case Via.SetItem:
      return `<set item ${String(key)}>`;
    case Via.MapKey:
      return `<map key ${String(key)}>`;
    case Via.MapValue:
      return `.get(${key !== null && typeof key === 'object' ? '<object key>' : String(key)})`;
  }
}

/** Flattens a state into nodes, with an explicit stack so deep state cannot overflow the call stack. */
class Encoder {
  private readonly ids = new Map<unknown, number>();
  private readonly objects: unknown[] = [];
  private readonly origins: Origin[] = [];
  private readonly nodes: unknown[][] = [];
  private readonly pending: number[] = [];
  /** Per ArrayBuffer node: the byte span its views use, or the whole buffer when it is a value itself. */
  private readonly spans = new Map<number, { start: number; end: number }>();
  /** The index of each nested class, by prototype; the first wins if a class is listed twice. */
  private readonly declared = new Map<object, number>();

  constructor(private readonly type: ObjectType) {
    type.nestedClasses?.forEach((c, i) => {
      if (!this.declared.has(c.prototype)) this.declared.set(c.prototype, i);
    });
  }

  /** The node of an object or special primitive, created (and queued to be filled) on first sight. */
  node(value: unknown, parent: number, via: Via, key: unknown): number {
    let id = this.ids.get(value);
    if (id !== undefined) return id;
    id = this.objects.length;
    this.objects.push(value);
    this.origins.push({ parent, via, key });
    this.nodes.push([]);
    if (typeof value === 'bigint') this.nodes[id] = [Kind.BigInt, value.toString()];
    else if (typeof value === 'number') this.nodes[id] = [Kind.NegativeZero];
    else {
      this.ids.set(value, id);
      this.pending.push(id);
    }
    return id;
  }

  /** Fills the queued nodes; the extras (node 1) go last, so shared objects are named from the state. */
  run(): void {
    this.pending.reverse();
    for (let id = this.pending.pop(); id !== undefined; id = this.pending.pop()) this.fill(id);
  }

  /** The nodes, with every buffer cut to the span its values use. */
  finish(): unknown[][] {
    for (const [id, span] of this.spans) {
      const buffer = this.objects[id] as ArrayBuffer;
      // Kept 8-byte aligned, so rebased views of 8-byte elements stay aligned.
      const start = span.start - (span.start % 8);
      const end = span.end;
      this.nodes[id] = [Kind.Buffer, start, new Uint8Array(buffer, start, end - start)];
    }
    return this.nodes;
  }

  private fill(id: number): void {
    const value = this.objects[id] as object;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Array.prototype) {
      const items = value as unknown[];
      const values: unknown[] = new Array(items.length);
      const refs: number[] = [];
      for (let i = 0; i < items.length; i++) this.slot(items[i], values, i, refs, id, Via.Index, i);
      this.nodes[id] = [Kind.Array, values, refs];
    } else if (proto === Object.prototype || proto === null || proto === this.type.stateClass.prototype) {
      this.fields(id, value, Kind.Object, proto === Object.prototype ? Proto.Plain : proto === null ? Proto.Null : Proto.StateClass);
    } else if (proto === Map.prototype) {
      const flat: unknown[] = new Array((value as Map<unknown, unknown>).size * 2);
      const refs: number[] = [];
      let i = 0;
      for (const [k, v] of value as Map<unknown, unknown>) {
        this.slot(k, flat, i, refs, id, Via.MapKey, i / 2);
        this.slot(v, flat, i + 1, refs, id, Via.MapValue, k);
        i += 2;
      }
      this.nodes[id] = [Kind.Map, flat, refs];
    } else if (proto === Set.prototype) {
      const values: unknown[] = new Array((value as Set<unknown>).size);
      const refs: number[] = [];
      let i = 0;
      for (const v of value as Set<unknown>) this.slot(v, values, i, refs, id, Via.SetItem, i++);
      this.nodes[id] = [Kind.Set, values, refs];
    } else if (proto === Date.prototype) {
      this.nodes[id] = [Kind.Date, (value as Date).getTime()];
    } else if (proto === RegExp.prototype) {
      this.nodes[id] = [Kind.RegExp, (value as RegExp).source, (value as RegExp).flags];
    } else if (value instanceof Error && ERROR_TYPES.get(value.constructor.name)?.prototype === proto) {
      this.nodes[id] = [Kind.Error, value.name, value.message, value.stack];
    } else if (proto === ArrayBuffer.prototype) {
      this.use(id, 0, (value as ArrayBuffer).byteLength);
    } else if (VIEW_CODES.has(proto as object)) {
      const view = value as ArrayBufferView;
      if (!(view.buffer instanceof ArrayBuffer)) this.refuse(id, 'is a view of a SharedArrayBuffer, which cannot be transferred');
      const buffer = this.node(view.buffer, id, Via.Field, 'buffer');
      this.use(buffer, view.byteOffset, view.byteOffset + view.byteLength);
      const length = view instanceof DataView ? view.byteLength : (view as Uint8Array).length;
      this.nodes[id] = [Kind.View, VIEW_CODES.get(proto as object), buffer, view.byteOffset, length];
    } else if (this.declared.has(proto as object)) {
      this.fields(id, value, Kind.Instance, this.declared.get(proto as object)!);
    } else {
      this.refuse(id, this.undeclared((value as { constructor?: { name?: string } }).constructor?.name ?? ''));
    }
  }

  /** Why an instance of class `name` ('' if anonymous) cannot travel: for a user type, the declaration that fixes it. */
  private undeclared(name: string): string {
    const { name: typeName, stateClass, nestedClasses } = this.type;
    const what = name ? `a ${name} instance` : 'an instance of an anonymous class';
    if (!nestedClasses) {
      return `is ${what}, which cannot be transferred (only ${stateClass.name} instances, plain objects, arrays, Maps, Sets, Dates, RegExps, Errors, typed arrays and handles can)`;
    }
    const classes = [...new Set(nestedClasses.map((c) => c.name || '<class>')), name || '<its class>'].join(', ');
    return `is ${what}; declare its class to let the object move between nodes and into snapshots: sharedClass('${typeName}', ${stateClass.name || 'class {...}'}, { classes: [${classes}] })`;
  }

  /** An object node of `kind` (Object or Instance) whose second item is `tag` (its Proto or class index). */
  private fields(id: number, value: object, kind: Kind.Object | Kind.Instance, tag: number): void {
    for (const s of Object.getOwnPropertySymbols(value)) {
      if (Object.prototype.propertyIsEnumerable.call(value, s)) {
        this.refuse(id, `has a field keyed by ${String(s)}; symbol-keyed fields cannot be transferred`);
      }
    }
    const keys = Object.keys(value);
    const values: unknown[] = new Array(keys.length);
    const refs: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const d = Object.getOwnPropertyDescriptor(value, keys[i]!)!;
      if (d.get || d.set) this.refuse(id, `has an accessor field '${keys[i]}'; accessors are code and cannot be transferred`);
      this.slot(d.value, values, i, refs, id, Via.Field, keys[i]);
    }
    this.nodes[id] = [kind, tag, keys, values, refs];
  }

  /** Puts `value` at `values[i]`, as itself or as a node index listed in `refs`. */
  private slot(value: unknown, values: unknown[], i: number, refs: number[], parent: number, via: Via, key: unknown): void {
    switch (typeof value) {
      case 'string':
      case 'boolean':
      case 'undefined':
        values[i] = value;
        return;
      case 'number':
        if (value !== 0 || 1 / value > 0) {
          values[i] = value;
          return;
        }
        break;
      case 'function':
        throw new SerializationError(this.path(parent) + segment(via, key), 'is a function, which cannot be transferred');
      case 'symbol':
        throw new SerializationError(this.path(parent) + segment(via, key), 'is a symbol, which cannot be transferred');
      case 'object':
        if (value === null || value instanceof ObjectRef) {
          values[i] = value;
          return;
        }
    }
    values[i] = this.node(value, parent, via, key);
    refs.push(i);
  }

  /** Records that the buffer of node `id` is used from `start` to `end`. */
  private use(id: number, start: number, end: number): void {
    const span = this.spans.get(id);
    if (!span) this.spans.set(id, { start, end });
    else {
      span.start = Math.min(span.start, start);
      span.end = Math.max(span.end, end);
    }
  }

  private refuse(id: number, message: string): never {
    throw new SerializationError(this.path(id), message);
  }

  /** The path of node `id` from the instance or the extras. */
  private path(id: number): string {
    const parts: string[] = [];
    let at = id;
    for (let o = this.origins[at]!; o.parent >= 0; o = this.origins[at]!) {
      parts.push(segment(o.via, o.key));
      at = o.parent;
    }
    return `${this.type.name} ${at === 0 ? 'state' : 'extras'}${parts.reverse().join('')}`;
  }
}

/** Rebuilds nodes: first every object empty (views after their buffers), then their contents. */
class Decoder {
  private readonly made: unknown[];

  constructor(
    private readonly type: ObjectType,
    /** The bytes as named in an error. */
    private readonly where: string,
    private readonly nodes: unknown[],
    /** The names of the encoding node's nested classes. */
    private readonly classNames: unknown[],
  ) {
    this.made = new Array(nodes.length);
  }

  run(): unknown[] {
    const { nodes, made } = this;
    const root = nodes[0];
    if (!Array.isArray(root) || root[0] !== Kind.Object || root[1] !== Proto.StateClass) throw new Error('node 0 is not the instance');
    if (!Array.isArray(nodes[1]) || nodes[1][0] !== Kind.Array) throw new Error('node 1 is not the extras');
    for (let id = 0; id < nodes.length; id++) {
      const node = nodes[id];
      if (!Array.isArray(node)) throw new Error(`node ${id} is not an array`);
      if (node[0] !== Kind.View) made[id] = this.shell(node);
    }
    for (let id = 0; id < nodes.length; id++) {
      const node = nodes[id] as unknown[];
      if (node[0] === Kind.View) made[id] = this.view(node);
    }
    for (let id = 0; id < nodes.length; id++) this.fill(nodes[id] as unknown[], made[id]);
    return made;
  }

  private shell(node: unknown[]): unknown {
    switch (node[0]) {
      case Kind.Object:
        return Object.create(node[1] === Proto.Plain ? Object.prototype : node[1] === Proto.Null ? null : this.type.stateClass.prototype);
      case Kind.Instance:
        return Object.create(this.nestedClass(node[1]).prototype);
      case Kind.Array:
        return [];
      case Kind.Map:
        return new Map();
      case Kind.Set:
        return new Set();
      case Kind.Date:
        return new Date(num(node[1]));
      case Kind.Buffer: {
        const bytes = node[2];
        if (!(bytes instanceof Uint8Array) || !Number.isSafeInteger(node[1])) throw new Error('bad buffer node');
        // A fresh exact buffer, as msgpackr decodes typed arrays, is taken as it is.
        const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
        return whole ? bytes.buffer : bytes.slice().buffer;
      }
      case Kind.BigInt:
        return BigInt(str(node[1]));
      case Kind.NegativeZero:
        return -0;
      case Kind.RegExp:
        return new RegExp(str(node[1]), str(node[2]));
      case Kind.Error: {
        const name = str(node[1]);
        const error = new (ERROR_TYPES.get(name) ?? Error)(str(node[2]));
        if (error.name !== name) error.name = name;
        error.stack = node[3] === undefined ? undefined : str(node[3]);
        return error;
      }
      default:
        throw new Error(`unknown node kind ${String(node[0])}`);
    }
  }

  /** This type's nested class at `index`, which must be the one the encoding node named. */
  private nestedClass(index: unknown): StateClass {
    const i = num(index);
    const sent = this.classNames[i];
    if (typeof sent !== 'string') throw new Error(`bad nested class index ${i}`);
    const cls = this.type.nestedClasses?.[i];
    if (cls?.name === sent) return cls;
    const here = cls ? `declares ${cls.name || 'an anonymous class'} there` : 'declares no such class';
    throw new SerializationError(
      this.where,
      `hold an instance of ${sent || 'an anonymous class'} as classes[${i}], but ${this.type.name} on this node ${here}: every node must load the same code`,
    );
  }

  private view(node: unknown[]): ArrayBufferView {
    const View = VIEW_TYPES[num(node[1])];
    const id = num(node[2]);
    const buffer = this.nodes[id] as unknown[] | undefined;
    if (!View || buffer?.[0] !== Kind.Buffer) throw new Error('bad view node');
    // The buffer holds the original's bytes from `start` on: views are rebased by that much.
    const bytes = this.made[id] as ArrayBuffer;
    const offset = num(node[3]) - num(buffer[1]);
    const length = num(node[4]);
    if (View === Buffer) return Buffer.from(bytes, offset, length);
    return new (View as new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView)(bytes, offset, length);
  }

  private fill(node: unknown[], target: unknown): void {
    switch (node[0]) {
      case Kind.Object:
      case Kind.Instance: {
        const keys = node[2];
        const values = this.resolve(node[3], node[4]);
        if (!Array.isArray(keys) || keys.length !== values.length) throw new Error('bad object node');
        const obj = target as Record<string, unknown>;
        // Assignment would run setters of the prototype (a class's own `set x()`, `__proto__`).
        const define = node[0] === Kind.Instance || node[1] === Proto.StateClass;
        for (let i = 0; i < keys.length; i++) {
          const key = str(keys[i]);
          if (define || key === '__proto__') Object.defineProperty(obj, key, { value: values[i], writable: true, enumerable: true, configurable: true });
          else obj[key] = values[i];
        }
        break;
      }
      case Kind.Array: {
        const values = this.resolve(node[1], node[2]);
        const array = target as unknown[];
        for (let i = 0; i < values.length; i++) array[i] = values[i];
        break;
      }
      case Kind.Map: {
        const flat = this.resolve(node[1], node[2]);
        if (flat.length % 2 !== 0) throw new Error('bad map node');
        for (let i = 0; i < flat.length; i += 2) (target as Map<unknown, unknown>).set(flat[i], flat[i + 1]);
        break;
      }
      case Kind.Set:
        for (const v of this.resolve(node[1], node[2])) (target as Set<unknown>).add(v);
        break;
    }
  }

  /** The values of a node with its node indexes (at the ascending positions `refs`) replaced by the objects. */
  private resolve(values: unknown, refs: unknown): unknown[] {
    if (!Array.isArray(values) || !Array.isArray(refs)) throw new Error('bad node values');
    let r = 0;
    for (let i = 0; i < values.length; i++) {
      if (r < refs.length && refs[r] === i) {
        const id = values[i];
        if (!Number.isSafeInteger(id) || id < 0 || id >= this.made.length) throw new Error(`bad node index ${String(id)}`);
        values[i] = this.made[id];
        r++;
      } else {
        const v = values[i];
        if (v !== null && typeof v === 'object' && !(v instanceof ObjectRef)) throw new Error('an object outside the node table');
      }
    }
    if (r !== refs.length) throw new Error('bad node refs');
    return values;
  }
}

function num(v: unknown): number {
  if (typeof v !== 'number') throw new Error(`expected a number, got ${typeof v}`);
  return v;
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new Error(`expected a string, got ${typeof v}`);
  return v;
}
