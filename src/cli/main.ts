import { readFileSync } from 'node:fs';
import { SkeinError } from '../errors/skein-error.ts';
import { splitStack } from '../errors/stack-frames.ts';
import { ADMIN_USAGE, adminCommand } from './admin-command.ts';
import { DASHBOARD_USAGE, dashboardCommand } from './dashboard-command.ts';
import { DEPLOY_USAGE, deployCommand } from './deploy-command.ts';
import { DSO_USAGE, dsoCommand } from './dso-command.ts';
import { INSPECT_USAGE, inspectCommand } from './inspect-command.ts';
import { RUN_USAGE, runCommand } from './run-command.ts';
import { UsageError } from './usage-error.ts';

const OVERVIEW = `usage: skein <command> [options]

commands:
  run <entry.ts>       run an app: call its default export (main), its threads on a backend
  dso                  run a DSO node, alone or as a member of a cluster kept in etcd
  inspect [key]        show a DSO's members and objects, one object's state, or its keys
  dashboard            serve a web page showing a DSO's members, objects, hot keys, calls and apps
  deploy lambda        bundle an app and create or update its AWS Lambda function
  admin forget-lost    accept the loss of objects whose every copy is gone
  help [command]       print this overview, or a command's help

'skein <command> --help' prints a command's options; 'skein --version' prints the version.`;

const HELP_USAGE = `usage: skein help [command]

Prints the overview of the commands, or the help of one (the same as 'skein <command> --help').`;

/** Each command: what it runs, and its help. */
const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  run: { run: runCommand, usage: RUN_USAGE },
  dso: { run: dsoCommand, usage: DSO_USAGE },
  inspect: { run: inspectCommand, usage: INSPECT_USAGE },
  dashboard: { run: dashboardCommand, usage: DASHBOARD_USAGE },
  deploy: { run: deployCommand, usage: DEPLOY_USAGE },
  admin: { run: adminCommand, usage: ADMIN_USAGE },
  help: { run: helpCommand, usage: HELP_USAGE },
};

const isHelpFlag = (arg: string): boolean => arg === '--help' || arg === '-h';

/** `skein help [command]`. */
async function helpCommand(argv: string[]): Promise<number> {
  if (argv.length > 1) throw new UsageError(`takes at most one command, got ${argv.length}`);
  const [name] = argv;
  if (name === undefined) {
    process.stdout.write(`${OVERVIEW}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command '${name}' (known: ${Object.keys(commands).join(', ')})`);
  process.stdout.write(`${command.usage}\n`);
  return 0;
}

/** Runs the command line; resolves with the exit code. */
async function main(command: string | undefined, rest: string[]): Promise<number> {
  if (command === undefined) throw new UsageError('no command given');
  if (isHelpFlag(command)) return helpCommand([]);
  if (command === '--version' || command === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const found = commands[command];
  if (!found) throw new UsageError(`unknown command '${command}'`);
  // --help anywhere before a '--' asks for the command's help, whatever else the line holds.
  const end = rest.indexOf('--');
  if ((end === -1 ? rest : rest.slice(0, end)).some(isHelpFlag)) return helpCommand([command]);
  return found.run(rest);
}

const [command, ...rest] = process.argv.slice(2);
// The name a message starts with: `skein run: ...`; `skein: ...` when there is no known command.
const who = command !== undefined && command in commands ? `skein ${command}` : 'skein';
try {
  process.exitCode = await main(command, rest);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${who}: ${err.message}\nsee '${who} --help'\n`);
    process.exitCode = 2;
  } else {
    // A SkeinError is a failure the message explains; anything else is a bug, shown with its stack.
    const frames = err instanceof SkeinError || !(err instanceof Error) ? '' : splitStack(err.stack ?? '').frames.join('\n');
    process.stderr.write(`${who}: ${err instanceof Error ? err.message : String(err)}\n${frames ? `${frames}\n` : ''}`);
    process.exitCode = 1;
  }
}
