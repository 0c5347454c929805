import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import { basename, dirname, extname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader, Plugin } from 'esbuild';
import { importDependency } from './optional-dependency.ts';
import { entryFile, type SkeinEntry } from './skein-files.ts';

/**
 * The variable through which `skein run` tells its threads (worker threads and child processes
 * inherit it) the file URL of the app's bundle, which they load for any of the app's TypeScript
 * modules (see {@link appBundle}).
 */
export const APP_BUNDLE_ENV = 'SKEIN_APP_BUNDLE';

/** Whether `path` (a path or a file URL) is a TypeScript module, which Node does not load alone. */
export function isTypeScript(path: string): boolean {
  return /\.(?:[cm]?ts|tsx)$/.test(path);
}

/** An app's bundle for one run; see {@link appBundle}. */
export interface AppBundle {
  /** File URL of the bundle, which the run imports instead of the entry (once built). */
  readonly url: string;
  /**
   * Compiles the app into the bundle. Fails with esbuild's message when a module does not
   * compile or an import cannot be resolved.
   */
  build(): Promise<void>;
  /**
   * Deletes the bundle and its source map; call it once the run's threads are done. A process
   * that exits first (an app calling `process.exit`) deletes them as it exits.
   */
  remove(): Promise<void>;
}

/**
 * Compiles an app whose entry is TypeScript into one ES module (esbuild) with a source map, in a
 * directory of its own under the system's temp directory, so that the run's main thread and every
 * worker load plain JavaScript: registering a TypeScript loader in each worker thread costs far
 * more than one bundle (see docs/architecture.md, "Running an app").
 *
 * The bundle holds the app's own modules: the entry and the files it imports that are not
 * inside a `node_modules` directory. Packages stay outside, imported from where Node would find
 * them from the importing file; Skein's entries (`skein`, `skein/server`, ...) are this copy of
 * Skein's files, so the app and the runtime share one task registry and one default client. In
 * the app's modules `import.meta.url`, `import.meta.filename` and `import.meta.dirname` keep
 * naming their source file, and function and class names are kept.
 *
 * This makes the bundle's directory and names its file, so that threads can be told where it is
 * before it is built ({@link AppBundle.build}, which may run while the caller starts other work).
 * Fails with a `MissingDependencyError` when esbuild is not installed.
 */
export async function appBundle(entry: string): Promise<AppBundle> {
  const esbuild = await importDependency<typeof import('esbuild')>('esbuild', `skein run of a TypeScript entry (${basename(entry)})`);
  const dir = await mkdtemp(join(os.tmpdir(), 'skein-run-'));
  const file = join(dir, `${basename(entry, extname(entry))}.mjs`);
  const removeAtExit = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeAtExit);
  return {
    url: pathToFileURL(file).href,
    build: () => build(esbuild, entry, file),
    async remove() {
      process.off('exit', removeAtExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function build(esbuild: typeof import('esbuild'), entry: string, file: string): Promise<void> {
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node}`,
      // Resolve packages as Node does: no `module` field or condition.
      mainFields: ['main'],
      conditions: [],
      keepNames: true,
      sourcemap: 'linked',
      sourcesContent: false,
      // App modules written as CommonJS call require(), which an ES module lacks.
      banner: { js: "import { createRequire as __skeinCreateRequire } from 'node:module';\nconst require = __skeinCreateRequire(import.meta.url);" },
      plugins: [appModulesOnly()],
      logLevel: 'silent',
    });
  } finally {
    // esbuild's service process is not needed again in this run.
    await esbuild.stop();
  }
}

/** See {@link appBundle}: what goes in the bundle, and what its modules see of themselves. */
function appModulesOnly(): Plugin {
  const resolving = Symbol('resolving');
  return {
    name: 'skein-app-modules',
    setup(b) {
      b.onResolve({ filter: /^skein(\/(server|lambda|http))?$/ }, (args) => ({
        path: pathToFileURL(entryFile(args.path as SkeinEntry)).href,
        external: true,
      }));
      // Bare specifiers: packages (and Node's built-ins, which esbuild keeps as they are).
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === resolving || isBuiltin(args.path)) return undefined;
        const found = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: resolving });
        if (found.errors.length > 0) return { errors: found.errors };
        // A workspace package or a tsconfig path that leads to the app's own sources is bundled.
        if (!inNodeModules(found.path)) return { path: found.path };
        const required = args.kind === 'require-call' || args.kind === 'require-resolve';
        return { path: required ? found.path : pathToFileURL(found.path).href, external: true };
      });
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (inNodeModules(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.')) return undefined;
        const meta = JSON.stringify({ url: pathToFileURL(args.path).href, filename: args.path, dirname: dirname(args.path) });
        // Appended, so that lines (and the source map) stay the file's; a declaration, so hoisted.
        const contents = `${source.replace(/\bimport\.meta\.(url|filename|dirname)\b/g, '__skeinImportMeta().$1')}\nfunction __skeinImportMeta() { return ${meta}; }\n`;
        return { contents, loader: loaderFor(args.path) };
      });
    },
  };
}

function inNodeModules(path: string): boolean {
  return path.split(sep).includes('node_modules');
}

function loaderFor(path: string): Loader {
  if (path.endsWith('.tsx')) return 'tsx';
  if (path.endsWith('.jsx')) return 'jsx';
  return isTypeScript(path) ? 'ts' : 'js';
}
