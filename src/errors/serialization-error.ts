import { SkeinError } from './skein-error.ts';

/**
 * A value cannot travel to or from a cloud thread or a shared object: it holds a function, a
 * symbol, a class instance, a cycle, or a handle never called that has init args (they do not
 * travel with it). `path` says where (e.g. `arg.options.onDone`).
 */
export class SerializationError extends SkeinError {
  /** Where in the value the problem is, as a property path. */
  readonly path: string;

  constructor(path: string, message: string) {
    super('ESERIALIZE', `${path} ${message}`);
    this.path = path;
  }
}
