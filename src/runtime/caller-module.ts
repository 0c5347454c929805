import { pathToFileURL } from 'node:url';

const SKEIN_SRC = new URL('../', import.meta.url).href;

/**
 * Whether this code runs from one bundle with the app (a Lambda function): then Skein's frames
 * and the app's are the same file, and the bundle itself is the module that defines every task
 * (a bundled worker finds tasks by name; see `runInvocation`).
 */
const BUNDLED = !import.meta.url.endsWith('/runtime/caller-module.ts');

/**
 * The file URL of the module that called into Skein, read from the stack: the first frame outside
 * Skein's own sources (in a bundle, the bundle). Tasks use it to know which module a worker must
 * import to find them.
 */
export function callerModule(): string | undefined {
  if (BUNDLED) return import.meta.url;
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    // A frame's location follows '(' or 'at ': never a path inside a `node:internal/...` name.
    const m = line.match(/(?:\(|\bat )((?:file:\/\/)?\/[^\s()]+?):\d+:\d+\)?\s*$/);
    if (!m) continue;
    const url = m[1]!.startsWith('file://') ? m[1]! : pathToFileURL(m[1]!).href;
    if (url.startsWith(SKEIN_SRC) || url.includes('/node_modules/tsx/')) continue;
    return url;
  }
  return undefined;
}
