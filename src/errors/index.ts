export { SkeinError } from './skein-error.ts';
export { TimeoutError } from './timeout-error.ts';
export { RemoteError } from './remote-error.ts';
export { ConnectionClosedError } from './connection-closed-error.ts';
export { AuthError } from './auth-error.ts';
export { ProtocolError } from './protocol-error.ts';
export { InvalidCallError, type InvalidCallCode } from './invalid-call-error.ts';
export { WorkerCrashedError } from './worker-crashed-error.ts';
export { SerializationError } from './serialization-error.ts';
