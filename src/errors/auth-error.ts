import { SkeinError } from './skein-error.ts';

/**
 * Credentials were refused: a node refused the handshake (the token is missing or wrong), or an
 * HTTP function refused a request's signature (401). Nothing was executed.
 */
export class AuthError extends SkeinError {
  constructor(message: string) {
    super('EAUTH', message);
  }
}
