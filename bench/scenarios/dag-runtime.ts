/** What the dag-chain and dag-fanout scenarios share: a DSO node as the default DSO, and the local backend. */
import os from 'node:os';
import { configureRuntime, setDefaultClient, shutdownRuntime } from '../../src/index.ts';
import { configuredDefaultClient } from '../../src/client/default-client.ts';
import { startDsoNode } from './dso-node.ts';

/** Runs `fn` with a DSO node in its own process as this process's default DSO and the local backend (one worker per core). */
export async function withDagRuntime<T>(fn: () => Promise<T>): Promise<T> {
  const node = await startDsoNode();
  const saved = process.env.SKEIN_DSO;
  process.env.SKEIN_DSO = node.url;
  setDefaultClient(undefined);
  configureRuntime({ backend: 'local', workers: os.availableParallelism() });
  try {
    return await fn();
  } finally {
    await shutdownRuntime();
    await configuredDefaultClient()?.close();
    setDefaultClient(undefined);
    if (saved === undefined) delete process.env.SKEIN_DSO;
    else process.env.SKEIN_DSO = saved;
    await node.stop();
  }
}
