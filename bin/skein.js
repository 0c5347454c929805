#!/usr/bin/env node
// Skein ships TypeScript sources; tsx's loader runs them (and the user's .ts entry files) directly.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
