import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { WorkerCrashedError } from '../../errors/worker-crashed-error.ts';
import type { Backend, BackendOptions } from '../backend.ts';
import { relayStep } from '../dag-step.ts';
import { InFlight } from '../in-flight.ts';
import { FROM_SOURCE } from '../skein-files.ts';

interface Job {
  resolve(outcome: Uint8Array): void;
  reject(err: Error): void;
  threadId: string;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
}

// The worker's main, compiled; from the sources, a bootstrap that registers tsx before it.
const ENTRY = new URL(FROM_SOURCE ? './thread-worker.js' : './thread-worker-main.js', import.meta.url);

/**
 * Runs cloud threads on a pool of worker threads in this process, sized to the cores by default.
 * Workers are started on first use and reused. Each worker runs any number of threads at once
 * (threads are async: one waiting at a barrier does not hold its worker), and a new thread goes to
 * the worker with the fewest in flight. A worker that dies fails its threads with
 * {@link WorkerCrashedError} and is replaced; the others go on. Idle workers do not keep the
 * process alive.
 */
export class LocalBackend implements Backend {
  readonly name = 'local';
  private readonly size: number;
  private slots: Slot[] = [];
  private nextId = 1;
  private closing = false;
  private readonly inFlight = new InFlight();

  constructor(opts: BackendOptions = {}) {
    this.size = opts.workers ?? os.availableParallelism();
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError('workers must be an integer >= 1');
  }

  invoke(envelope: Uint8Array, threadId: string): Promise<Uint8Array> {
    if (this.closing) return Promise.reject(new WorkerCrashedError('the local backend is shut down'));
    if (this.slots.length < this.size) this.slots.push(this.spawn());
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.jobs.size < slot.jobs.size) slot = s;
    const id = this.nextId++;
    const done = new Promise<Uint8Array>((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject, threadId });
      if (slot.jobs.size === 1) slot.worker.ref();
      slot.worker.postMessage({ id, envelope });
    });
    return this.inFlight.track(done);
  }

  /**
   * Starts every worker of the pool now rather than at the first threads, so that their start
   * overlaps the caller's other work (`skein run` compiling and loading the app). Idle workers do
   * not keep the process alive.
   */
  prestart(): void {
    while (!this.closing && this.slots.length < this.size) this.slots.push(this.spawn());
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.inFlight.settled();
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(ENTRY);
    const slot: Slot = { worker, jobs: new Map() };
    worker.unref();
    worker.on('message', ({ id, outcome, relay }: { id: number; outcome: Uint8Array; relay?: Uint8Array }) => {
      if (relay) return relayStep((envelope, threadId) => this.invoke(envelope, threadId), relay);
      const job = slot.jobs.get(id);
      if (!job) return;
      slot.jobs.delete(id);
      if (slot.jobs.size === 0) worker.unref();
      job.resolve(outcome);
    });
    let failure = '';
    worker.on('error', (err) => {
      failure = `${err.name}: ${err.message}`;
    });
    worker.on('exit', (code) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const why = failure ? `crashed (${failure})` : `exited with code ${code}`;
      for (const job of slot.jobs.values()) {
        job.reject(new WorkerCrashedError(`the worker thread running thread ${job.threadId} ${why}`));
      }
      slot.jobs.clear();
    });
    return slot;
  }
}
