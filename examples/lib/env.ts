/**
 * Sizes of the example apps from environment variables, checked: a typo (`POINTS=2e5x`) or an
 * impossible size (`THREADS=0`) stops the run with a message naming the variable, instead of
 * running on NaN or doing nothing.
 */

/** Thrown for an environment variable that does not hold an acceptable value. */
export class BadSettingError extends Error {
  override name = 'BadSettingError';
}

/**
 * The number in `process.env[name]`, or `fallback` when it is unset or empty. Accepts what
 * `Number()` reads (`2e5`, `0.5`); rejects anything else, and numbers below `min`.
 */
export function envNumber(name: string, fallback: number, { min = Number.NEGATIVE_INFINITY } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new BadSettingError(`${name}=${raw} is not a number`);
  if (value < min) throw new BadSettingError(`${name}=${raw} is below its minimum, ${min}`);
  return value;
}

/** As {@link envNumber}, for a whole number (`2e5` is accepted: it is one). */
export function envInt(name: string, fallback: number, { min = Number.MIN_SAFE_INTEGER } = {}): number {
  const value = envNumber(name, fallback, { min });
  if (!Number.isSafeInteger(value)) throw new BadSettingError(`${name}=${process.env[name]} is not a whole number`);
  return value;
}
