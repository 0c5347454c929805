/**
 * Where objects live in a cluster: rendezvous (highest random weight) hashing. Every member gets
 * a score per key; the `rf` members with the highest scores own the key, the first of them as its
 * primary. Any party that knows the same member list computes the same owners, with no table to
 * share; a member that joins takes over only the keys it now scores highest on, and one that
 * leaves hands over only its own keys, each to the next member in that key's ranking.
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a string (FNV-1a over its UTF-16 code units, then {@link fmix32}). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/**
 * The score of `member` for `key`, from their hashes: a mix of both, so a member's scores over
 * many keys are independent of every other member's.
 */
function score(keyHash: number, memberHash: number): number {
  return fmix32((keyHash ^ Math.imul(memberHash, 0x9e3779b1)) >>> 0);
}

/**
 * A member list prepared for placement: ids deduplicated, each with its hash computed once.
 * Build one per membership view and reuse it for every key.
 */
export class Placement {
  private readonly ids: readonly string[];
  private readonly hashes: Uint32Array;

  /** `members`: the ids (URLs) of the live members, in any order. */
  constructor(members: Iterable<string>) {
    this.ids = [...new Set(members)].sort();
    if (this.ids.length === 0) throw new RangeError('a placement needs at least one member');
    this.hashes = Uint32Array.from(this.ids, hash32);
  }

  /** The members, sorted. */
  get members(): readonly string[] {
    return this.ids;
  }

  /**
   * The `rf` owners of `key`, best score first (the primary, then its backups); all members, in
   * that order, when there are fewer than `rf`. Ties of score go to the smaller id.
   */
  owners(key: string, rf = 1): string[] {
    if (!Number.isInteger(rf) || rf < 1) throw new RangeError(`rf must be an integer >= 1, got ${rf}`);
    const k = hash32(key);
    const n = this.ids.length;
    if (rf === 1) {
      let best = 0;
      let bestScore = score(k, this.hashes[0]!);
      for (let i = 1; i < n; i++) {
        const s = score(k, this.hashes[i]!);
        if (s > bestScore) {
          best = i;
          bestScore = s;
        }
      }
      return [this.ids[best]!];
    }
    // The best `rf` by insertion into a short list: no sort, no array per member.
    const want = Math.min(rf, n);
    const best: number[] = [];
    const bestScores: number[] = [];
    for (let i = 0; i < n; i++) {
      const sc = score(k, this.hashes[i]!);
      let at = best.length;
      // Ties keep the smaller index (the smaller id) first: it was inserted earlier.
      while (at > 0 && bestScores[at - 1]! < sc) at--;
      if (at >= want) continue;
      best.splice(at, 0, i);
      bestScores.splice(at, 0, sc);
      if (best.length > want) {
        best.pop();
        bestScores.pop();
      }
    }
    return best.map((i) => this.ids[i]!);
  }

  /** The primary owner of `key`. */
  primary(key: string): string {
    return this.owners(key, 1)[0]!;
  }
}
