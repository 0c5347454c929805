#!/usr/bin/env node
// The `skein` command. The package runs its compiled `dist/`; a checkout of the repository, which
// has the TypeScript sources, runs them through tsx instead (a dev dependency), so what the tests
// spawn is always the code they import, never a stale build.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
