import { ProtocolError } from '../errors/protocol-error.ts';

/** Bytes of the big-endian length prefix in front of every frame. */
export const FRAME_HEADER_BYTES = 4;

/** Default largest frame a peer accepts: 16 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The lowest frame limit a node may be configured with: below it ordinary calls would not fit. */
export const MIN_MAX_FRAME_BYTES = 1024;

/** Prefixes a payload with its length, making one frame. */
export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Splits a byte stream into frame payloads. Chunks are kept as they arrive and joined only when a
 * frame spans several of them. A length above `maxFrameBytes` throws a {@link ProtocolError}
 * (`EFRAME_TOO_LARGE`) before any of that frame is buffered: the stream cannot be trusted after it.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /**
   * @param maxFrameBytes the largest payload accepted. It may be changed at any time, even from
   * inside `onFrame`; the new limit applies from the next frame (a node raises it after the
   * handshake).
   */
  constructor(public maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Feeds bytes; calls `onFrame` for each complete payload, in order. */
  push(chunk: Buffer, onFrame: (payload: Buffer) => void): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= FRAME_HEADER_BYTES) {
      const head = this.peekHeader();
      if (head > this.maxFrameBytes) {
        throw new ProtocolError(
          `frame of ${head} bytes exceeds the limit of ${this.maxFrameBytes} bytes`,
          'EFRAME_TOO_LARGE',
        );
      }
      const total = FRAME_HEADER_BYTES + head;
      if (this.buffered < total) return;
      const joined = this.take(total);
      onFrame(joined.subarray(FRAME_HEADER_BYTES));
    }
  }

  private peekHeader(): number {
    const first = this.chunks[0]!;
    if (first.length >= FRAME_HEADER_BYTES) return first.readUInt32BE(0);
    return Buffer.concat(this.chunks, FRAME_HEADER_BYTES).readUInt32BE(0);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      this.buffered -= n;
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const all = Buffer.concat(this.chunks, this.buffered);
    this.buffered -= n;
    this.chunks = this.buffered > 0 ? [all.subarray(n)] : [];
    return all.subarray(0, n);
  }
}
