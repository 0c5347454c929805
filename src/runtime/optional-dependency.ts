import { MissingDependencyError } from '../errors/missing-dependency-error.ts';

/**
 * Imports `name`, a package only some features use, when one of them first needs it, so nothing
 * else pays for loading it. A package that is not installed fails with a
 * {@link MissingDependencyError} naming `neededBy` and the npm command that installs it; any other
 * failure to load it is passed on.
 */
export async function importDependency<T>(name: string, neededBy: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // The package itself is missing, not a module it imports.
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message?.includes(`'${name}'`)) throw new MissingDependencyError(name, neededBy, { cause: err });
    throw err;
  }
}
