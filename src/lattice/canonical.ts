import { badArgs } from '../objects/validate.ts';
import { describe } from '../errors/describe-value.ts';

/**
 * The identity of a set member or map key: `keyOf(v)` is one string per value, the same for
 * structurally equal values and different for different ones. Values compare as they survive the
 * wire, so two values that msgpack makes equal have one key:
 *
 * - primitives by kind and value: `1`, `'1'` and `true` differ; `null` and `undefined` differ;
 *   `NaN` equals `NaN`; `-0` equals `0` (msgpack sends `-0` as the integer 0); a bigint equal to a
 *   number has that number's key (msgpack turns small bigints into numbers);
 * - arrays element by element; plain objects by own keys in any order (an own `__proto__` key
 *   is a key like any other);
 * - `Map`s by entries and `Set`s by members, in any order; `Date`s by time;
 * - typed arrays by kind and elements (a `Buffer` is a `Uint8Array`), `ArrayBuffer`s and
 *   `DataView`s by bytes.
 *
 * Anything else (functions, symbols, class instances, cyclic values) throws `EBAD_ARGS`.
 * Keys order by UTF-16 code units (`Array.prototype.sort()`), the stable order of sets' values.
 */
export function keyOf(v: unknown): string {
  return key(v, new Set());
}

function key(v: unknown, ancestors: Set<object>): string {
  switch (typeof v) {
    case 'undefined':
      return 'u';
    case 'boolean':
      return v ? 't' : 'f';
    case 'number':
      return `n${String(v)}`; // String(-0) is '0'
    case 'bigint': {
      const n = Number(v);
      return Number.isFinite(n) && BigInt(n) === v ? `n${String(n)}` : `b${String(v)}`;
    }
    case 'string':
      return JSON.stringify(v);
    case 'object':
      if (v === null) return 'z';
      if (ancestors.has(v)) throw badArgs('a set member or map key must not contain itself');
      ancestors.add(v);
      try {
        return structured(v, ancestors);
      } finally {
        ancestors.delete(v);
      }
    default:
      throw badArgs(`a set member or map key cannot be a ${typeof v}`);
  }
}

// Every structured key opens with its kind and closes with a bracket, and no number's text holds
// a bracket, a comma or '=': a key read from the left ends where it ends, so joins are unambiguous.
function structured(v: object, ancestors: Set<object>): string {
  if (Array.isArray(v)) {
    const parts: string[] = [];
    for (let i = 0; i < v.length; i++) parts.push(key(v[i], ancestors));
    return `[${parts.join(',')}]`;
  }
  if (v instanceof ArrayBuffer) return `ArrayBuffer<${new Uint8Array(v).join(',')}>`;
  if (v instanceof DataView) return `ArrayBuffer<${new Uint8Array(v.buffer, v.byteOffset, v.byteLength).join(',')}>`;
  if (ArrayBuffer.isView(v)) {
    const kind = v instanceof Uint8Array ? 'Uint8Array' : v.constructor.name;
    return `${kind}<${Array.from(v as unknown as ArrayLike<number | bigint>, String).join(',')}>`;
  }
  if (v instanceof Date) return `D${String(v.getTime())}`;
  if (v instanceof Map) {
    const parts = [...v].map(([k, x]) => `${key(k, ancestors)}=${key(x, ancestors)}`);
    return `M{${parts.sort().join(',')}}`;
  }
  if (v instanceof Set) return `S[${[...v].map((x) => key(x, ancestors)).sort().join(',')}]`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw badArgs(`a set member or map key must be plain data, got an instance of ${describe(proto?.constructor?.name)}`);
  }
  const record = v as Record<string, unknown>;
  const parts = Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${key(record[k], ancestors)}`);
  return `{${parts.join(',')}}`;
}
