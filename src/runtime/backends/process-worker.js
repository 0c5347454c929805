// Entry of a process-backend worker: make TypeScript importable, then serve invocations.
import { register } from 'tsx/esm/api';

register();
await import('./process-worker-main.ts');
