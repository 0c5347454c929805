import { ObjectRef } from '../protocol/codec.ts';

/** Items of an array, typed array, Map or Set shown before the rest is counted. */
export const INSPECT_ITEMS = 50;
/** Nesting shown before deeper values are summarised. */
export const INSPECT_DEPTH = 6;

/**
 * `value` as plain data a client can decode and print: the own enumerable fields of objects
 * (class instances included, their class name under `@class`), Maps as objects of their entries
 * and Sets as arrays, arrays and typed arrays cut to {@link INSPECT_ITEMS} items with a count of
 * the rest, nesting cut at {@link INSPECT_DEPTH}, cycles marked `[Circular]`, functions and
 * symbols left out, and handles of other objects kept as handles. It reads, never changes, the
 * value.
 */
export function inspectable(value: unknown, depth = 0, path: Set<object> = new Set()): unknown {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null || value instanceof ObjectRef || value instanceof Date) return value;
  if (path.has(value)) return '[Circular]';
  if (depth >= INSPECT_DEPTH) return `[${value.constructor?.name ?? 'Object'}]`;
  path.add(value);
  try {
    const each = (v: unknown): unknown => inspectable(v, depth + 1, path);
    if (ArrayBuffer.isView(value)) {
      const items = value instanceof DataView ? [] : (value as unknown as ArrayLike<number> & Iterable<number>);
      return cut(items, items.length, each, `${value.constructor.name}(${items.length})`);
    }
    if (Array.isArray(value)) return cut(value, value.length, each);
    if (value instanceof Set) return cut(value, value.size, each, `Set(${value.size})`);
    if (value instanceof Map) {
      const out: Record<string, unknown> = { '@class': `Map(${value.size})` };
      let shown = 0;
      for (const [k, v] of value) {
        if (shown++ === INSPECT_ITEMS) {
          out['…'] = `${value.size - INSPECT_ITEMS} more entries`;
          break;
        }
        out[typeof k === 'string' ? k : String(inspectable(k, INSPECT_DEPTH, path))] = inspectable(v, depth + 1, path);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    if (name && name !== 'Object') out['@class'] = name;
    for (const [k, v] of Object.entries(value)) {
      const shown = inspectable(v, depth + 1, path);
      if (shown !== undefined) out[k] = shown;
    }
    return out;
  } finally {
    path.delete(value);
  }
}

/**
 * `label` (if given), the first {@link INSPECT_ITEMS} of the `size` items made plain by `each`,
 * then a count of the rest; items past the cut are never visited.
 */
function cut(items: Iterable<unknown>, size: number, each: (v: unknown) => unknown, label?: string): unknown[] {
  const out: unknown[] = label ? [label] : [];
  let shown = 0;
  for (const v of items) {
    if (shown++ === INSPECT_ITEMS) break;
    out.push(each(v));
  }
  if (size > INSPECT_ITEMS) out.push(`… ${size - INSPECT_ITEMS} more`);
  return out;
}
