import { after, before } from 'node:test';
import { configureRuntime, setDefaultClient, shutdownRuntime } from '../../src/index.ts';
import type { NodeOptions } from '../../src/server.ts';
import { testNode, type TestNode } from './node.ts';

/**
 * For a test file that runs example apps as `skein run` would: before its tests, a node (with
 * `opts`, e.g. the app's `objects`) becomes the default DSO and the local backend gets two
 * workers; after them, the runtime, the client and the node are shut down. Answers a getter for
 * the node, valid once the tests run.
 */
export function useAppNode(opts: NodeOptions = {}): () => TestNode {
  let t: TestNode | undefined;
  before(async () => {
    t = await testNode(opts);
    setDefaultClient(await t.client());
    configureRuntime({ backend: 'local', workers: 2 });
  });
  after(async () => {
    await shutdownRuntime();
    setDefaultClient(undefined);
    await t?.close();
  });
  return () => {
    if (!t) throw new Error('the app node is not up yet: use it inside a test');
    return t;
  };
}
