import { encode } from '../protocol/codec.ts';
import type { EncodedMessage } from '../protocol/frame-batch.ts';
import type { ReplySink, Session } from './session.ts';

/** Where records go besides the local object table: the journal, a backup. */
export interface RecordLog {
  /** Buffers one record; it is not durable until the next {@link RecordLog.commit}. */
  append(record: Uint8Array): void;
  /** Makes every buffered record durable (survives the process being killed). */
  commit(): void;
}

/**
 * A backup as the replicator sees it: an ordered stream of records, acknowledged cumulatively.
 * The link numbers records from 1; `acked` is the highest number the backup has applied.
 */
export interface BackupLink {
  readonly url: string;
  /** Queues one record; answers its number on this link. */
  send(record: Uint8Array): number;
  /** Highest record number the backup has applied. */
  readonly acked: number;
  /** The backup left the cluster: nothing more will be acknowledged, nor waited for. */
  readonly gone: boolean;
  /** Writes what {@link BackupLink.send} queued. */
  flush(): void;
  /**
   * Tells the backup that a session's client acknowledged these replies (it forgets its copies);
   * best effort, after the records queued before it.
   */
  forwardAcks(session: string, ids: readonly number[]): void;
}

/** What a reply waits for: the records emitted before it, on the journal and on each backup. */
class Mark {
  constructor(
    readonly logged: number,
    readonly links: ReadonlyArray<readonly [BackupLink, number]>,
  ) {}
}

/** A reply held until its {@link Mark} is durable and replicated. */
interface Held {
  readonly session: Session;
  readonly kept: import('./session.ts').KeptReply;
  readonly mark: Mark;
}

/**
 * The ordering point of a node's changes: every record (a call applied on an object this node
 * owns, a withdrawal, a handover) goes to the journal and to the object's backups in the order it
 * was applied here, and no reply leaves before every record emitted ahead of it is durable in the
 * journal and applied by the backups it went to. Waiting on everything emitted before (not just
 * on the call's own record) is what keeps a read from showing a state a failover could lose.
 *
 * With neither journal nor backups, replies leave at once: a single node pays nothing for it.
 */
export class Replicator {
  private journal: RecordLog | undefined;
  private appended = 0;
  private committed = 0;
  /** Links a record was sent on since the last mark, with the record's number there. */
  private readonly sent = new Map<BackupLink, number>();
  private mark: Mark | undefined;
  private readonly held: Held[] = [];
  private heldHead = 0;
  private flushQueued = false;
  private readonly flushTask = this.flush.bind(this);

  private afterCommit: () => void = () => undefined;

  /** Sends records to this journal from now on; `afterCommit` runs after every commit. */
  useJournal(journal: RecordLog, afterCommit: () => void): void {
    this.journal = journal;
    this.afterCommit = afterCommit;
  }

  /**
   * Emits one record: to the journal (if any) and to each of `backups`. Replies produced after
   * this wait for it.
   */
  emit(record: unknown[], backups: readonly BackupLink[]): void {
    if (!this.journal && backups.length === 0) return;
    const bytes = encode(record);
    if (this.journal) {
      this.journal.append(bytes);
      this.appended++;
    }
    for (const link of backups) this.sent.set(link, link.send(bytes));
    this.mark = undefined;
    this.schedule();
  }

  /**
   * Keeps the reply `message` to request `id` of `session` (on the object at `key`) and sends it
   * once everything emitted before it is durable and replicated; at once if nothing is pending.
   */
  reply(session: Session, id: number, key: string, message: EncodedMessage, origin: ReplySink | undefined): void {
    if (this.pendingCount() === 0) {
      if (session.resumable) session.keep(id, key, message, true, true, origin);
      else session.deliver(message, origin);
      return;
    }
    const kept = session.keep(id, key, message, false, true, origin);
    this.held.push({ session, kept, mark: (this.mark ??= this.newMark()) });
  }

  /**
   * This node lost its right to serve (its lease expired): the replies still held are dropped,
   * never sent, and forgotten by their sessions, since the records they wait for may never reach
   * the backups that now own their objects. Their clients resend the calls, which the new owners
   * answer from their own kept replies if the call reached them, or apply anew if it did not.
   */
  abandon(): void {
    for (let i = this.heldHead; i < this.held.length; i++) {
      const h = this.held[i]!;
      h.session.replies.delete(h.kept.id);
    }
    this.held.length = 0;
    this.heldHead = 0;
    this.sent.clear();
    this.mark = undefined;
    const waiting = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of waiting) w.resolve();
  }

  /** A backup acknowledged records, or left: replies waiting only on it may go. */
  progress(): void {
    this.release();
    if (this.settleWaiters.length > 0) {
      const waiting = this.settleWaiters;
      this.settleWaiters = [];
      for (const w of waiting) {
        if (this.satisfied(w.mark)) w.resolve();
        else this.settleWaiters.push(w);
      }
    }
  }

  private settleWaiters: Array<{ mark: Mark; resolve: () => void }> = [];

  /**
   * Resolves once every record emitted so far (not those emitted later) is durable and
   * acknowledged by the backups it went to, or they left: what a handover waits for.
   */
  settled(): Promise<void> {
    const mark = this.newMark();
    if (this.satisfied(mark)) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push({ mark, resolve }));
  }

  /** Whether any reply is waiting. */
  get waiting(): number {
    return this.held.length - this.heldHead;
  }

  private pendingCount(): number {
    if (this.heldHead < this.held.length || this.appended !== this.committed) return 1;
    if (this.sent.size === 0) return 0;
    for (const [link, n] of this.sent) {
      if (link.acked < n && !link.gone) return 1;
    }
    this.sent.clear();
    return 0;
  }

  private newMark(): Mark {
    return new Mark(this.appended, [...this.sent]);
  }

  private schedule(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(this.flushTask);
  }

  /** Commits the journal, then writes the records queued for backups; releases what it can. */
  private flush(): void {
    this.flushQueued = false;
    if (this.journal && this.committed !== this.appended) {
      this.journal.commit();
      this.committed = this.appended;
      this.afterCommit();
    }
    for (const link of this.sent.keys()) link.flush();
    this.progress();
  }

  private release(): void {
    while (this.heldHead < this.held.length) {
      const h = this.held[this.heldHead]!;
      if (!this.satisfied(h.mark)) break;
      this.heldHead++;
      h.session.release(h.kept);
    }
    if (this.heldHead === this.held.length) {
      this.held.length = 0;
      this.heldHead = 0;
    } else if (this.heldHead > 1024 && this.heldHead * 2 > this.held.length) {
      this.held.splice(0, this.heldHead);
      this.heldHead = 0;
    }
  }

  private satisfied(mark: Mark): boolean {
    if (this.committed < mark.logged) return false;
    for (const [link, n] of mark.links) if (link.acked < n && !link.gone) return false;
    return true;
  }
}
