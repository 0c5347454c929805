import { SkeinError } from './skein-error.ts';

/**
 * A feature needs a package that is not installed (`EMISSING_DEPENDENCY`): Skein leaves out of
 * its own dependencies what only some commands use (the AWS SDK for Lambda). The message names
 * the package, what needs it and the npm command that installs it.
 */
export class MissingDependencyError extends SkeinError {
  /** The package to install, e.g. `@aws-sdk/client-lambda`. */
  readonly dependency: string;

  constructor(dependency: string, neededBy: string, options?: { cause?: unknown }) {
    super('EMISSING_DEPENDENCY', `${neededBy} needs ${dependency}, which is not installed: npm install ${dependency}`, options);
    this.dependency = dependency;
  }
}
