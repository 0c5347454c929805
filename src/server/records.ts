/**
 * Records: what a node sends its backups and writes to its journal, one per change it applied to
 * an object it owns, in the order it applied them. Every record names one key, so the order that
 * matters (per object) is the owner's. Backups and recovery apply them through the same object
 * table, and methods are deterministic, so they reach the same state, the same parked calls and
 * the same replies (kept for retries) as the owner. A record is an array whose first element is
 * its kind, one of these.
 */
export const RecordKind = {
  /** `[0, key, session, id, type, method, args, init, forceNew]`: a call, as it arrived. */
  Call: 0,
  /** `[1, key, session, id]`: the parked call `id` was withdrawn (timeout, client gone). */
  Withdraw: 1,
  /** `[2, key, session]`: the session ended; the object takes back its leases. */
  EndSession: 2,
  /** `[3, key, session, id]`: the object was destroyed by request `id`. */
  Destroy: 3,
  /**
   * `[4, key, type, state, leaseHolders, replies]`: the whole object (a handover, a resync of a new
   * backup, a snapshot item): its encoded state, the sessions holding leases on it and the kept
   * replies of calls on it as `[session, id, message]`. Replaces what the receiver had.
   */
  Object: 4,
  /** `[5, key]`: this node no longer holds the object (it moved away). Journal only. */
  Drop: 5,
  /**
   * `[6, key, reason]`: the object had to move but its state could not be encoded (a class the
   * state codec cannot carry). Calls on the key fail with `EOBJECT_LOST` naming the reason until
   * it is destroyed or made anew with `forceNew`; never a silently empty object.
   */
  Lost: 6,
  /**
   * `[7, key, type, state, leaseHolders, replies]`: the last copy of a lost object, sent by a
   * member that came back with it (see `Handover`); installed only where the key has no object.
   */
  Restore: 7,
} as const;

/** A kept reply as it travels in an {@link RecordKind.Object} record. */
export type ReplyItem = [session: string, id: number, message: Uint8Array];
