import { pathToFileURL } from 'node:url';

const SKEIN_SRC = new URL('../', import.meta.url).href;

/**
 * The file URL of the module that called into Skein, read from the stack: the first frame outside
 * Skein's own sources. Tasks use it to know which module a worker must import to find them.
 */
export function callerModule(): string | undefined {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = line.match(/\(?((?:file:\/\/)?\/[^\s()]+?):\d+:\d+\)?\s*$/);
    if (!m) continue;
    const url = m[1]!.startsWith('file://') ? m[1]! : pathToFileURL(m[1]!).href;
    if (url.startsWith(SKEIN_SRC) || url.includes('/node_modules/tsx/')) continue;
    return url;
  }
  return undefined;
}
