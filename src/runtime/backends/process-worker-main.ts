import { runInvocation } from '../worker-handler.ts';

/** A request from the process backend: run `envelope`, answer with the same `id`. */
interface Job {
  id: number;
  envelope: Uint8Array;
}

// A DAG node finished here starts the nodes after it in other processes through the parent.
const relay = (envelope: Uint8Array): void => void process.send!({ relay: envelope });

process.on('message', (job: Job) => {
  void runInvocation(job.envelope, { relay }).then((outcome) => process.send!({ id: job.id, outcome }));
});

// Booted (Skein's modules are loaded and the handler is listening): from now on an invocation's
// time counts against the backend's timeout, as a FaaS platform counts it after the init phase.
process.send!({ ready: true });

// The backend's process is gone (it exited without closing us): no outcome can be delivered, and
// a timer a thread left behind must not keep this worker alive as an orphan.
process.on('disconnect', () => process.exit(0));
