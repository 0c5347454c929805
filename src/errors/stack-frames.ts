/**
 * A stack split in two: the header (`Name: message`, as many lines as the message has) and the
 * frames (the `    at ...` lines, as they are). A stack with no frames is all header.
 */
export function splitStack(stack: string): { header: string; frames: string[] } {
  const lines = stack.split('\n');
  const first = lines.findIndex((line) => /^\s+at /.test(line));
  if (first === -1) return { header: stack, frames: [] };
  return { header: lines.slice(0, first).join('\n'), frames: lines.slice(first) };
}
