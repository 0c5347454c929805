/**
 * The base of every error Skein raises. `code` is stable across versions and is what programs
 * should branch on; `message` is for people.
 */
export class SkeinError extends Error {
  /** Stable, machine-readable identifier of the failure (e.g. `ETIMEOUT`). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}
