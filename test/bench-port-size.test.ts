import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeLines, diffStat } from '../bench/scenarios/port-size.ts';

test('codeLines drops comments and blank lines, and keeps what only looks like a comment inside strings and templates', () => {
  const source = [
    '/** Doc. */',
    'const url = `skein://${host}:${port} // not a comment`; // a comment',
    '',
    "const s = 'a // b'; /* block",
    '   still a comment */ const after = { x: `${ {y: 1}.y }` };',
    '// whole-line comment',
    'export {};  ',
  ].join('\n');
  assert.deepEqual(codeLines(source), [
    'const url = `skein://${host}:${port} // not a comment`;',
    "const s = 'a // b';",
    ' const after = { x: `${ {y: 1}.y }` };',
    'export {};',
  ]);
});

test('diffStat counts a rewritten line as one deletion and one addition', async () => {
  assert.deepEqual(await diffStat(['a', 'b', 'c', 'd'], ['a', 'B', 'c', 'd', 'e']), { added: 2, deleted: 1 });
  assert.deepEqual(await diffStat(['a'], ['a']), { added: 0, deleted: 0 });
});
