import { SkeinError } from '../errors/skein-error.ts';

/**
 * The command line was wrong. The CLI prints `skein <command>: <message>` and a line pointing at
 * `skein <command> --help`, and exits with 2; the message is one line saying what is wrong.
 */
export class UsageError extends SkeinError {
  constructor(message: string) {
    super('EUSAGE', message);
  }
}
