import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { importDependency } from '../runtime/optional-dependency.ts';
import { entryFile, type SkeinEntry } from '../runtime/skein-files.ts';

/** Options of {@link bundleForLambda}. */
export interface BundleOptions {
  /** The app's entry module (TypeScript or JavaScript): the module that defines its tasks. */
  entry: string;
  /** Directory the bundle is written to (`index.mjs` and `index.mjs.map`); created if missing. */
  outDir: string;
  /**
   * The module `skein/lambda` resolves to: it must export `handler`. Defaults to this copy of
   * Skein's own (`dist/lambda.js`); tests give a fixture.
   */
  handlerModule?: string;
}

/** What {@link bundleForLambda} wrote. */
export interface LambdaBundle {
  /** Absolute path of the bundle, `<outDir>/index.mjs`: Lambda's handler is `index.handler`. */
  file: string;
  /** Absolute path of its source map, `<outDir>/index.mjs.map`. */
  map: string;
  /** Size of the bundle in bytes. */
  bytes: number;
}

/**
 * Bundles an app for AWS Lambda into one self-contained ESM file for Node 20, with a linked
 * source map (used when the function runs with `NODE_OPTIONS=--enable-source-maps`). The bundle
 * re-exports everything the entry exports plus `handler` from `skein/lambda`; importing it runs
 * the entry's top level, which registers its tasks, and never calls its default export (`main`):
 * the handler runs tasks by name. Every dependency is inlined; a native add-on loaded through
 * `createRequire` (msgpackr's optional `msgpackr-extract`) is not, and its pure-JS fallback runs.
 */
export async function bundleForLambda(opts: BundleOptions): Promise<LambdaBundle> {
  const { build } = await importDependency<typeof import('esbuild')>('esbuild', 'skein deploy');
  const entry = resolve(opts.entry);
  const handlerModule = resolve(opts.handlerModule ?? entryFile('skein/lambda'));
  const file = join(resolve(opts.outDir), 'index.mjs');
  await build({
    stdin: {
      contents: `export * from ${JSON.stringify(entry)};\nexport { handler } from 'skein/lambda';\n`,
      resolveDir: dirname(entry),
      sourcefile: 'skein-lambda-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: file,
    sourcemap: 'linked',
    sourcesContent: false,
    // An app's CommonJS dependencies call require() for Node built-ins, which ESM lacks.
    banner: { js: "import { createRequire as __skeinCreateRequire } from 'node:module';\nconst require = __skeinCreateRequire(import.meta.url);" },
    // msgpackr's native decoder: a .node add-on cannot be inlined; msgpackr falls back to pure JS.
    // The Lambda runtime provides the AWS SDK v3; the lambda backend imports it only when used.
    external: ['msgpackr-extract', '@aws-sdk/*'],
    plugins: [skeinPackage(handlerModule)],
    logLevel: 'silent',
  });
  return { file, map: `${file}.map`, bytes: (await stat(file)).size };
}

/** Resolves Skein's entries to this copy of Skein's files, and `skein/lambda` to the handler module. */
function skeinPackage(handlerModule: string): Plugin {
  return {
    name: 'skein-package',
    setup(b) {
      b.onResolve({ filter: /^skein(\/(server|lambda|http))?$/ }, (args) => ({
        path: args.path === 'skein/lambda' ? handlerModule : entryFile(args.path as SkeinEntry),
      }));
    },
  };
}
