import { SkeinError } from './skein-error.ts';

/**
 * The object a call names is lost: every copy of it is gone (all the members that held it failed
 * before its state could move), or its state could not move between members. The call was not
 * applied. It keeps failing, never answering from a silently re-created object, until a member
 * holding a copy returns with its data directory, an operator accepts the loss
 * (`skein admin forget-lost`), or a call with `forceNew` makes the object anew.
 */
export class ObjectLostError extends SkeinError {
  constructor(message: string) {
    super('EOBJECT_LOST', message);
  }
}
