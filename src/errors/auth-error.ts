import { SkeinError } from './skein-error.ts';

/** The node refused the handshake: the token is missing or wrong. Nothing was executed. */
export class AuthError extends SkeinError {
  constructor(message: string) {
    super('EAUTH', message);
  }
}
