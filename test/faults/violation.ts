/**
 * What the fault checker reports: one broken promise of the cluster, on one object, with the
 * recorded operations that show it.
 */
import type { OpRecord } from './history.ts';

/** The kinds of violation, each a promise the cluster makes (DESIGN.md section 4). */
export type ViolationKind =
  /** An acknowledged increment missing from the final value. */
  | 'lost-ack'
  /** An increment applied twice (a repeated answer, or a final value above every possible count). */
  | 'doubled'
  /** A read that missed a write which had returned before it was invoked. */
  | 'stale-read'
  /** A history with no linearization that is not one of the above. */
  | 'not-linearizable'
  /** Members holding a copy of an object hold different states once the cluster settled. */
  | 'copies-differ'
  /** A destroyed object that nobody touched again is listed or held again. */
  | 'destroyed-reappeared'
  /** An object whose every copy was gone answered a call (from a re-created object). */
  | 'lost-answered'
  /** An object whose every copy was gone failed with another error than `EOBJECT_LOST`. */
  | 'lost-wrong-error';

/** One violation found by the checker. */
export interface Violation {
  kind: ViolationKind;
  /** The object (key, or `key#field` for a map field). */
  object: string;
  message: string;
  /** Operations that show it (a few, not all). */
  ops?: OpRecord[];
}
