import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundleForLambda, type LambdaBundle } from '../src/deploy/bundle.ts';
import { ROOT } from './support/node.ts';

let dir: string;
let bundle: LambdaBundle;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skein-bundle-'));
  bundle = await bundleForLambda({
    entry: join(ROOT, 'examples/montecarlo.ts'),
    outDir: dir,
    handlerModule: join(ROOT, 'test/fixtures/lambda-handler-stub.ts'),
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the bundle is index.mjs with a linked source map', () => {
  assert.equal(bundle.file, join(dir, 'index.mjs'));
  const code = readFileSync(bundle.file, 'utf8');
  assert.equal(bundle.bytes, Buffer.byteLength(code));
  assert.match(code, /\n\/\/# sourceMappingURL=index\.mjs\.map\n?$/);
  const map = JSON.parse(readFileSync(bundle.map, 'utf8')) as { sources: string[] };
  assert.ok(map.sources.some((s) => s.endsWith('examples/montecarlo.ts')), 'the example is mapped');
});

test('the bundle imports nothing but Node built-ins, the optional msgpackr-extract, and (lazily) the AWS SDK the Lambda runtime provides', () => {
  const code = readFileSync(bundle.file, 'utf8');
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|require\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
  assert.ok(specifiers.length > 0, 'the scan finds the imports of Node built-ins');
  const foreign = specifiers.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && s !== 'msgpackr-extract' && !s.startsWith('@aws-sdk/'));
  assert.deepEqual(foreign, []);
  // The SDK only by dynamic import (the lambda backend's first invocation), never at load.
  assert.doesNotMatch(code, /\bfrom\s*["']@aws-sdk\//);
});

test("importing the bundle outside the repository registers the entry's tasks without running main", () => {
  const script = `
    const m = await import(${JSON.stringify(bundle.file)});
    console.log(JSON.stringify({
      exports: Object.keys(m).sort(),
      sample: await m.handler({ task: 'montecarlo.sample' }),
      unknown: await m.handler({ task: 'no.such.task' }),
    }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(out), {
    exports: ['handler', 'runMontecarlo', 'sample'],
    // In a bundle the bundle itself is the module that defines every task.
    sample: { found: true, module: pathToFileURL(bundle.file).href },
    unknown: { found: false },
  });
});
