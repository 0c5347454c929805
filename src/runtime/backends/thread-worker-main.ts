import { parentPort } from 'node:worker_threads';
import { runInvocation } from '../worker-handler.ts';

/** A request from the local backend: run `envelope`, answer with the same `id`. */
interface Job {
  id: number;
  envelope: Uint8Array;
}

// A DAG node finished here starts the nodes after it on other workers of the pool through the parent.
const relay = (envelope: Uint8Array): void => parentPort!.postMessage({ relay: envelope }, [envelope.buffer as ArrayBuffer]);

parentPort!.on('message', (job: Job) => {
  void runInvocation(job.envelope, { relay }).then((outcome) => {
    parentPort!.postMessage({ id: job.id, outcome });
  });
});
