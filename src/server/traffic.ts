import type { Socket } from 'node:net';

/**
 * Bytes received and sent on a node's accepted connections (clients', and the links other members
 * open to it), live and closed ones alike. It reads the sockets' own counters when asked, so it
 * costs nothing per message.
 */
export class Traffic {
  private readonly live = new Set<Socket>();
  private closedIn = 0;
  private closedOut = 0;

  /** Counts `socket` from now until it closes, and then in the totals. */
  track(socket: Socket): void {
    this.live.add(socket);
    socket.once('close', () => {
      this.live.delete(socket);
      this.closedIn += socket.bytesRead;
      this.closedOut += socket.bytesWritten;
    });
  }

  /** Bytes received since the node started. */
  get received(): number {
    let n = this.closedIn;
    for (const s of this.live) n += s.bytesRead;
    return n;
  }

  /** Bytes sent since the node started (handed to the kernel). */
  get sent(): number {
    let n = this.closedOut;
    for (const s of this.live) n += s.bytesWritten;
    return n;
  }
}
