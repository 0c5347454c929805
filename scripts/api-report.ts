/**
 * Locks the public surface of each package entry. api-extractor reads the built declarations
 * (`dist/*.d.ts`: run `npm run build` first) and compares what each entry exports with its report
 * in `etc/` (`skein.api.md`, `skein-server.api.md`, ...), which is committed.
 *
 *   npm run api:check     exits 1 naming each entry whose surface differs from its report
 *   npm run api:update    rewrites the reports: commit them with the change that made them differ
 */
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel, type ExtractorMessage } from '@microsoft/api-extractor';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each entry's report name and its declaration file in `dist/`. */
const ENTRIES = [
  { report: 'skein', types: 'index.d.ts' },
  { report: 'skein-server', types: 'server.d.ts' },
  { report: 'skein-lambda', types: 'lambda.d.ts' },
  { report: 'skein-http', types: 'http.d.ts' },
];

/** api-extractor's messages that the verdict below says once, or that are not worth saying. */
const QUIET = new Set(['console-preamble', 'console-api-report-not-copied', 'console-api-report-copied', 'console-api-report-created']);

const update = process.argv.includes('--update');
mkdirSync(`${ROOT}etc`, { recursive: true });
const changed: string[] = [];
// One TypeScript program over every entry's declarations, shared by the four analyses.
let compilerState: CompilerState | undefined;
for (const entry of ENTRIES) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: ROOT,
      mainEntryPointFilePath: `<projectFolder>/dist/${entry.types}`,
      compiler: {
        overrideTsconfig: {
          compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, types: ['node'] },
          files: ENTRIES.map((e) => `dist/${e.types}`),
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.report,
        reportFolder: '<projectFolder>/etc/',
        reportTempFolder: '<projectFolder>/.tmp/api-report/',
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        // Every export is public: the package has no release stages to tag.
        extractorMessageReporting: { 'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: `${ROOT}package.json`,
  });
  compilerState ??= CompilerState.create(config, { additionalEntryPoints: ENTRIES.map((e) => `${ROOT}dist/${e.types}`) });
  const result = Extractor.invoke(config, {
    localBuild: update,
    compilerState,
    printApiReportDiff: !update,
    messageCallback(message: ExtractorMessage) {
      if (QUIET.has(message.messageId)) message.handled = true;
    },
  });
  if (result.apiReportChanged) {
    changed.push(entry.report);
  } else if (!result.succeeded) {
    process.stderr.write(`api-report: ${entry.report}: ${result.errorCount} errors and ${result.warningCount} warnings, above\n`);
    process.exitCode = 1;
  }
}
if (changed.length > 0) {
  process.stderr.write(
    update
      ? `api-report: updated etc/${changed.join('.api.md, etc/')}.api.md\n`
      : `api-report: the public surface of ${changed.join(', ')} differs from etc/: if the change is meant, run npm run api:update and commit the reports\n`,
  );
  if (!update) process.exitCode = 1;
}
