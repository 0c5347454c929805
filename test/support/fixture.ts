import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './node.ts';

/**
 * Runs `test/fixtures/<name>` in a child process under tsx, with this process's environment plus
 * `env`. Its stdin is a pipe the child keeps open, so it also exits when this process does. Stop
 * it with `stopChild`.
 */
export function runFixture(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `${ROOT}test/fixtures/${name}`, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}
