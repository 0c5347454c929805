// Entry of a local-backend worker thread when Skein runs from its TypeScript sources (a checkout):
// register tsx, then serve invocations. The package's compiled worker starts thread-worker-main.js.
import { register } from 'tsx/esm/api';

register();
await import('./thread-worker-main.ts');
