import { pathToFileURL } from 'node:url';

/** Skein's own files: `src/` from the sources, `dist/` compiled. */
const SKEIN_FILES = new URL('../', import.meta.url).href;

/**
 * Whether this code runs from one bundle with the app (a Lambda function): then Skein's frames
 * and the app's are the same file, and the bundle itself is the module that defines every task
 * (a bundled worker finds tasks by name; see `runInvocation`). Unbundled, this module is
 * `src/runtime/caller-module.ts` (the sources) or `dist/runtime/caller-module.js` (the package).
 */
const BUNDLED = !/\/runtime\/caller-module\.[jt]s$/.test(import.meta.url);

/**
 * The file URL of the module that called into Skein: the first frame of the call stack outside
 * Skein's own files (in a bundle, the bundle). Tasks use it to know which module a worker must
 * import to find them. Frames are read as V8 records them, before any source map: a module
 * compiled to a bundle (as `skein run` compiles a TypeScript app) is named by the bundle, the file
 * a worker can load, not by its TypeScript source.
 */
export function callerModule(): string | undefined {
  if (BUNDLED) return import.meta.url;
  for (const site of callSites()) {
    const file = site.getFileName();
    if (!file || file.startsWith('node:')) continue;
    const url = file.startsWith('file://') ? file : file.startsWith('/') ? pathToFileURL(file).href : undefined;
    if (!url || url.startsWith(SKEIN_FILES) || url.includes('/node_modules/tsx/')) continue;
    return url;
  }
  return undefined;
}

/** The current call stack as V8's call sites (unaffected by `--enable-source-maps`). */
function callSites(): NodeJS.CallSite[] {
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_err, sites) => sites;
  try {
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, callerModule);
    return holder.stack ?? [];
  } finally {
    Error.prepareStackTrace = saved;
  }
}
