import { readFileSync } from 'node:fs';
import { SkeinError } from '../errors/skein-error.ts';
import { ADMIN_USAGE, adminCommand } from './admin-command.ts';
import { DASHBOARD_USAGE, dashboardCommand } from './dashboard-command.ts';
import { DEPLOY_USAGE, deployCommand } from './deploy-command.ts';
import { DSO_USAGE, dsoCommand } from './dso-command.ts';
import { INSPECT_USAGE, inspectCommand } from './inspect-command.ts';
import { RUN_USAGE, runCommand } from './run-command.ts';
import { UsageError } from './usage-error.ts';

const USAGE = `usage: skein <command> [options]

commands:
  ${RUN_USAGE.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n').trimStart()}

  ${DSO_USAGE.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n').trimStart()}

  ${INSPECT_USAGE.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n').trimStart()}

  ${DASHBOARD_USAGE.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n').trimStart()}

  ${DEPLOY_USAGE.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n').trimStart()}

  ${ADMIN_USAGE.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n').trimStart()}

  skein --version          print the version
  skein help               print this help`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  dso: dsoCommand,
  inspect: inspectCommand,
  dashboard: dashboardCommand,
  deploy: deployCommand,
  admin: adminCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('no command given');
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const run = commands[command];
  if (!run) throw new UsageError(`unknown command '${command}'`);
  return run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`skein: ${(err as Error).message}\n`);
  if (usage) process.stderr.write(`\n${USAGE}\n`);
  else if (!(err instanceof SkeinError)) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exitCode = usage ? 2 : 1;
}
