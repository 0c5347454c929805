/**
 * A rough estimate of the bytes a plain value takes in memory, for a cache's bound: strings two
 * bytes a character, numbers eight, byte buffers their length, and a small overhead per object,
 * array and entry. Walks arrays, plain objects, Maps and Sets; counts anything else as an object.
 * Not exact and not meant to be: it only has to grow with the value.
 */
export function valueBytes(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return 16 + 2 * v.length;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 16 + Math.ceil(v.toString(16).length / 2);
    case 'object':
      return v === null ? 8 : objectBytes(v);
    default:
      return 16;
  }
}

const OBJECT = 32;
const SLOT = 8;

function objectBytes(v: object): number {
  if (ArrayBuffer.isView(v)) return OBJECT + v.byteLength;
  if (v instanceof ArrayBuffer) return OBJECT + v.byteLength;
  let total = OBJECT;
  if (Array.isArray(v) || v instanceof Set) {
    for (const x of v) total += SLOT + valueBytes(x);
  } else if (v instanceof Map) {
    for (const [k, x] of v) total += 2 * SLOT + valueBytes(k) + valueBytes(x);
  } else if (!(v instanceof Date)) {
    for (const [k, x] of Object.entries(v)) total += SLOT + valueBytes(k) + valueBytes(x);
  }
  return total;
}
