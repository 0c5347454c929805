import { SkeinError } from './skein-error.ts';

/**
 * A node's data directory (`--data-dir`) cannot be used. `code` tells why:
 * - `EDATA_DIR`: it cannot be created, read or written (the cause is attached);
 * - `EDATA_DIR_LOCKED`: another live process holds its lock, or the lock file is unreadable;
 * - `EDATA_DIR_FORMAT`: it holds a file that is not a Skein journal file, was written by another
 *   format version, or the files do not fit together (a log newer than every snapshot).
 *
 * The message names the path. No journal file is changed or removed when this is thrown for a
 * lock or format reason, so the files can be inspected as they were.
 */
export class DataDirError extends SkeinError {
  constructor(
    message: string,
    code: 'EDATA_DIR' | 'EDATA_DIR_LOCKED' | 'EDATA_DIR_FORMAT',
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
