import { Packr, RESERVE_START_SPACE, addExtension } from 'msgpackr';

/**
 * A reference to a shared object as it travels on the wire: the object's type and key. Handles
 * encode as references; a client decodes them back into live handles, a node keeps them as
 * `ObjectRef` values (so a user object can hold handles of other objects as fields).
 */
export class ObjectRef {
  constructor(
    readonly type: string,
    readonly key: string,
  ) {}
}

/** msgpack extension type used for {@link ObjectRef} and every handle class that extends it. */
const REF_EXTENSION = 0x53;

/** Turns a decoded reference into whatever the decoding side wants (a live handle on clients). */
export type RefFactory = (type: string, key: string) => unknown;

let activeFactory: RefFactory | undefined;

addExtension({
  Class: ObjectRef,
  type: REF_EXTENSION,
  write: (ref: ObjectRef) => [ref.type, ref.key],
  read: (data: unknown) => {
    if (!Array.isArray(data) || typeof data[0] !== 'string' || typeof data[1] !== 'string') {
      throw new TypeError('malformed object reference');
    }
    return activeFactory ? activeFactory(data[0], data[1]) : new ObjectRef(data[0], data[1]);
  },
});

// Records are off so a frame decodes the same on any peer without shared structure state;
// moreTypes keeps typed arrays (Float64Array rows of matrices) and Sets intact.
const packr = new Packr({ useRecords: false, moreTypes: true, int64AsType: 'auto' as 'number' });

/** Encodes one value with Skein's msgpack settings. */
export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

/**
 * Encodes one value after `room` free bytes (at most 255) that the caller may fill, so a header
 * can go in front without copying the encoding. The buffer is the caller's: the encoder never
 * writes to it again.
 */
export function encodeWithRoom(value: unknown, room: number): Buffer {
  return packr.pack(value, RESERVE_START_SPACE | room);
}

/**
 * Decodes one msgpack value. References decode through `refs` when given (synchronously, within
 * this call), else as {@link ObjectRef}. Throws on malformed input.
 */
export function decode(bytes: Uint8Array, refs?: RefFactory): unknown {
  activeFactory = refs;
  try {
    return packr.unpack(bytes);
  } finally {
    activeFactory = undefined;
  }
}
