import { SkeinError } from './skein-error.ts';

/** etcd, where a cluster keeps its members and views, could not be reached or refused a request (`EETCD`). */
export class EtcdError extends SkeinError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EETCD', message, options);
  }
}
