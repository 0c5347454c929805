/**
 * Arrays kept sorted by a string key (UTF-16 code-unit order, unique keys): the shape of every
 * keyed part of a lattice state, since a plain object keyed by user strings is unsafe (`__proto__`)
 * and a sorted array makes equal states equal as plain data.
 */

/** The index of `key` in `items`, or `-(the index where it would go) - 1` when absent. */
export function search<T>(items: readonly T[], key: string, keyAt: (item: T) => string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = keyAt(items[mid] as T);
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid;
  }
  return -lo - 1;
}

/**
 * Merges two sorted arrays into a new one: for each key, `combine` gets the item of each side that
 * has it (`undefined` for a side that lacks it) and returns the item to keep, or `undefined` to keep none.
 */
export function mergeSorted<T>(
  a: readonly T[],
  b: readonly T[],
  keyAt: (item: T) => string,
  combine: (x: T | undefined, y: T | undefined) => T | undefined,
): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    let kept: T | undefined;
    if (y === undefined || (x !== undefined && keyAt(x) < keyAt(y))) {
      kept = combine(x, undefined);
      i++;
    } else if (x === undefined || keyAt(y) < keyAt(x)) {
      kept = combine(undefined, y);
      j++;
    } else {
      kept = combine(x, y);
      i++;
      j++;
    }
    if (kept !== undefined) out.push(kept);
  }
  return out;
}

/** A copy of `items` with `item` put at its key's place (replacing the item with that key). */
export function upsert<T>(items: readonly T[], item: T, keyAt: (item: T) => string): T[] {
  const at = search(items, keyAt(item), keyAt);
  const out = items.slice();
  if (at >= 0) out[at] = item;
  else out.splice(-at - 1, 0, item);
  return out;
}

/** The union of two sorted, duplicate-free string arrays, sorted. */
export function unionStrings(a: readonly string[], b: readonly string[]): string[] {
  return mergeSorted(a, b, (s) => s, (x, y) => x ?? y);
}
