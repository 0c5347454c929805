import { fileURLToPath } from 'node:url';

/**
 * Whether this copy of Skein runs from its TypeScript sources (a checkout of the repository, under
 * tsx) rather than from the compiled `dist/` of the package. Code that starts a thread or a process
 * of its own must then load tsx there first, as the package's compiled files need nothing.
 */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The extension of this copy's modules. */
const EXT = FROM_SOURCE ? '.ts' : '.js';

/** The package's entries, as an app imports them. */
export type SkeinEntry = 'skein' | 'skein/server' | 'skein/lambda' | 'skein/http';

/**
 * The file of this copy of Skein that `entry` names (`src/index.ts` or `dist/index.js` for
 * `skein`). A bundle of an app points its imports of Skein here, so the app and the runtime that
 * loads it share one copy of Skein's modules (one task registry, one default client).
 */
export function entryFile(entry: SkeinEntry): string {
  const name = entry === 'skein' ? 'index' : entry.slice('skein/'.length);
  return fileURLToPath(new URL(`../${name}${EXT}`, import.meta.url));
}
