import { SkeinError } from './skein-error.ts';

/**
 * `skein deploy` could not deploy: no AWS credentials or region, a function to create without a
 * role, or AWS refused a request (its message is kept). Nothing is rolled back: a function whose
 * code was updated before its configuration failed keeps the new code.
 */
export class DeployError extends SkeinError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EDEPLOY', message, options);
  }
}
