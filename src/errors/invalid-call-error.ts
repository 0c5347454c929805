import { SkeinError } from './skein-error.ts';

/** The codes an {@link InvalidCallError} carries. */
export type InvalidCallCode = 'EUNKNOWN_TYPE' | 'EUNKNOWN_METHOD' | 'EBAD_ARGS' | 'ETYPE_MISMATCH';

/**
 * The node rejected a call before running it: the object type is not loaded on the node
 * (`EUNKNOWN_TYPE`), the type has no such method (`EUNKNOWN_METHOD`), the arguments have the wrong
 * count or types (`EBAD_ARGS`), or the key already holds an object of another type
 * (`ETYPE_MISMATCH`). The object was not touched.
 */
export class InvalidCallError extends SkeinError {
  constructor(code: InvalidCallCode, message: string) {
    super(code, message);
  }
}
