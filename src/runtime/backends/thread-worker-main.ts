import { parentPort } from 'node:worker_threads';
import { runInvocation } from '../worker-handler.ts';

/** A request from the local backend: run `envelope`, answer with the same `id`. */
interface Job {
  id: number;
  envelope: Uint8Array;
}

parentPort!.on('message', (job: Job) => {
  void runInvocation(job.envelope).then((outcome) => {
    parentPort!.postMessage({ id: job.id, outcome });
  });
});
