// Entry of a process-backend worker when Skein runs from its TypeScript sources (a checkout):
// register tsx, then serve invocations. The package's compiled worker starts process-worker-main.js.
import { register } from 'tsx/esm/api';

register();
await import('./process-worker-main.ts');
