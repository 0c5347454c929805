import { encodeWithRoom } from './codec.ts';
import { FRAME_HEADER_BYTES } from './frame.ts';

/** msgpack's one-byte header of an array of up to 15 items (`0x90 | n`). */
const FIXARRAY = 0x90;

/** Free bytes in front of an encoded message: a frame header and a one-item array header. */
const ROOM = FRAME_HEADER_BYTES + 1;

/**
 * One message encoded now, ready to join a {@link FrameBatch}. Encoding when the message is made
 * (not when its frame is written) is what makes it carry the values it had at that moment: a
 * later mutation of the same objects in this turn cannot change what was sent. Throws what the
 * encoder throws for a value it cannot encode.
 */
export class EncodedMessage {
  /** The message's encoding, after {@link ROOM} free bytes. */
  readonly bytes: Buffer;
  constructor(
    /** The request id of the message (for requests and replies; 0 for notices). */
    readonly id: number,
    message: unknown,
  ) {
    this.bytes = encodeWithRoom(message, ROOM);
  }
  /** The message's msgpack encoding alone (a view, no copy). */
  get payload(): Buffer {
    return this.bytes.subarray(ROOM);
  }
  /** Size of the payload of a frame carrying this message alone. */
  get soloPayloadBytes(): number {
    return this.bytes.length - FRAME_HEADER_BYTES;
  }
}

/** Frames taken from a {@link FrameBatch}. */
export interface TakenFrames {
  /** Whole frames (length prefix included), in message order. */
  frames: Buffer[];
  /** The messages left out because they exceed the limit even alone. */
  tooLarge: EncodedMessage[];
}

function arrayHeaderBytes(n: number): number {
  return n < 16 ? 1 : n < 0x10000 ? 3 : 5;
}

function writeArrayHeader(out: Buffer, at: number, n: number): number {
  if (n < 16) return out.writeUInt8(FIXARRAY | n, at);
  if (n < 0x10000) return out.writeUInt16BE(n, out.writeUInt8(0xdc, at));
  return out.writeUInt32BE(n, out.writeUInt8(0xdd, at));
}

/**
 * The messages a connection produced in one turn of the event loop, written as frames whose
 * payload is a msgpack array of them (the wire's batch). A message alone in its batch leaves in
 * place, with no copy; several are joined into as few frames as the frame limit allows.
 */
export class FrameBatch {
  private queued: EncodedMessage[] = [];

  /** Number of queued messages. */
  get length(): number {
    return this.queued.length;
  }

  /** Queues an encoded message. */
  push(message: EncodedMessage): void {
    this.queued.push(message);
  }

  /** Forgets every queued message. */
  clear(): void {
    this.queued = [];
  }

  /**
   * Takes the queued messages as frames whose payloads are at most `maxPayload` bytes, in order.
   * A message too large even alone is left out and reported.
   */
  take(maxPayload: number): TakenFrames {
    const queued = this.queued;
    this.queued = [];
    if (queued.length === 1 && queued[0]!.soloPayloadBytes <= maxPayload) {
      const bytes = queued[0]!.bytes;
      bytes.writeUInt8(FIXARRAY | 1, bytes.writeUInt32BE(bytes.length - FRAME_HEADER_BYTES, 0));
      return { frames: [bytes], tooLarge: [] };
    }
    const out: TakenFrames = { frames: [], tooLarge: [] };
    let group: EncodedMessage[] = [];
    let body = 0;
    for (const m of queued) {
      const size = m.bytes.length - ROOM;
      if (m.soloPayloadBytes > maxPayload) {
        out.tooLarge.push(m);
        continue;
      }
      if (arrayHeaderBytes(group.length + 1) + body + size > maxPayload) {
        out.frames.push(join(group, body));
        group = [];
        body = 0;
      }
      group.push(m);
      body += size;
    }
    if (group.length > 0) out.frames.push(join(group, body));
    return out;
  }
}

/** One frame carrying `group` (whose encodings add up to `body` bytes) as one array. */
function join(group: EncodedMessage[], body: number): Buffer {
  const payload = arrayHeaderBytes(group.length) + body;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload);
  let at = writeArrayHeader(out, out.writeUInt32BE(payload, 0), group.length);
  for (const m of group) at += m.bytes.copy(out, at, ROOM);
  return out;
}
