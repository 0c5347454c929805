// Entry of a local-backend worker thread: make TypeScript importable, then serve invocations.
import { register } from 'tsx/esm/api';

register();
await import('./thread-worker-main.ts');
