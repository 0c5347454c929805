import { configuredDefaultClient, setDefaultClient } from '../../src/client/default-client.ts';
import { shutdownRuntime } from '../../src/runtime/runtime.ts';
import { testNode, type TestNode } from './node.ts';

/** The built-in backends, for tests that run once on each. */
export const BACKENDS = ['local', 'process'] as const;

/**
 * Starts a node and makes it this process's default DSO (`SKEIN_DSO`), so cloud threads spawned
 * here and handles created here share its objects. `close()` stops the runtime's workers, closes
 * the default client and the node, and restores `SKEIN_DSO`.
 */
export async function threadsNode(): Promise<TestNode> {
  const t = await testNode();
  const saved = process.env.SKEIN_DSO;
  process.env.SKEIN_DSO = t.url;
  setDefaultClient(undefined);
  return {
    ...t,
    async close() {
      await shutdownRuntime();
      await configuredDefaultClient()?.close();
      setDefaultClient(undefined);
      if (saved === undefined) delete process.env.SKEIN_DSO;
      else process.env.SKEIN_DSO = saved;
      await t.close();
    },
  };
}
