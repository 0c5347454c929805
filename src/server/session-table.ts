import type { ReplyItem } from './records.ts';
import { Session, type ReplySink } from './session.ts';

/**
 * The sessions a node knows: those of its clients (attached to their connections, resumable when
 * the client named them) and those it learned of from records (calls applied here as a backup or
 * in recovery, with no connection). The one place that creates, finds and forgets them.
 */
export class SessionTable {
  private readonly byId = new Map<string, Session>();

  /** The session `id`, if this node has it. */
  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  /** The session `id` as records name it: created (without a connection) if this node has not seen it. */
  known(id: string): Session {
    let session = this.byId.get(id);
    if (!session) {
      session = new Session(id, true, Date.now());
      this.byId.set(id, session);
    }
    return session;
  }

  /** The session a client names (resumed if this node has it), or a new one, attached to `sink`. */
  attach(id: string | undefined, sink: ReplySink, fresh: () => string): Session {
    let session = id === undefined ? undefined : this.byId.get(id);
    if (!session) {
      session = new Session(id ?? fresh(), id !== undefined, Date.now());
      this.byId.set(session.id, session);
    }
    session.attach(sink);
    return session;
  }

  /**
   * A connection of the session closed. Answers what follows: `'none'` (it was not the session's,
   * or another connection remains), `'end'` (the client said goodbye, or never named the session:
   * its leases go now), or `'withdraw'` (the client may come back: its parked calls are withdrawn
   * and the session ends after the session timeout).
   */
  detach(session: Session, sink: ReplySink, ending: boolean): 'none' | 'end' | 'withdraw' {
    if (!session.detach(sink, Date.now())) return 'none';
    if (ending) {
      while (session.detach(session.sink!, Date.now()));
    } else if (session.sink !== undefined) {
      return 'none';
    }
    return ending || !session.resumable ? 'end' : 'withdraw';
  }

  /** Sessions without a connection since before `before` (ms since the epoch). */
  detachedSince(before: number): Session[] {
    const out: Session[] = [];
    for (const session of this.byId.values()) if (session.sink === undefined && session.detachedAt <= before) out.push(session);
    return out;
  }

  /** Forgets `session` if nothing on this node refers to it any more. */
  forgetIfIdle(session: Session): void {
    if (session.idle) this.byId.delete(session.id);
  }

  /** The client of session `id` has these replies (a member forwarded its acknowledgement). */
  acknowledge(id: string, ids: readonly unknown[]): void {
    this.byId.get(id)?.acknowledge(ids);
  }

  /** Sessions holding a lease on `key`, and the released replies kept for calls on it (for a handover). */
  ofKey(key: string): { holders: string[]; replies: ReplyItem[] } {
    const holders: string[] = [];
    const replies: ReplyItem[] = [];
    for (const session of this.byId.values()) {
      if (session.leases.has(key)) holders.push(session.id);
      for (const kept of session.replies.values()) {
        if (kept.key === key && kept.released) replies.push([session.id, kept.id, kept.message.payload]);
      }
    }
    return { holders, replies };
  }

  /** Every session's connection, for a notice to all clients. */
  *sinks(): Iterable<ReplySink> {
    for (const session of this.byId.values()) if (session.sink) yield session.sink;
  }

  /** Connected sessions and replies kept, for `info`. */
  stats(): { connected: number; keptReplies: number } {
    let connected = 0;
    let keptReplies = 0;
    for (const session of this.byId.values()) {
      if (session.sink !== undefined) connected++;
      keptReplies += session.replies.size;
    }
    return { connected, keptReplies };
  }
}
