import { SkeinError } from '../errors/skein-error.ts';

/** The command line was wrong; the CLI prints the message and the usage and exits with 2. */
export class UsageError extends SkeinError {
  constructor(message: string) {
    super('EUSAGE', message);
  }
}
