/**
 * Skein: stateful serverless computing for TypeScript. Threads share objects that live on DSO
 * nodes, where each method runs next to its object, one call at a time.
 *
 * ```ts
 * import { connect, AtomicLong, CyclicBarrier } from 'skein';
 *
 * const client = await connect({ url: 'skein://127.0.0.1:7070' });
 * const hits = new AtomicLong({ key: 'hits', client });
 * await hits.incrementAndGet();          // one round trip, linearizable
 * const barrier = new CyclicBarrier({ key: 'round', client }, 4);
 * await barrier.await({ timeoutMs: 5000 });
 * await client.close();
 * ```
 * Handles that name no client use the default client, configured by `SKEIN_DSO`/`SKEIN_TOKEN`.
 * @module
 */
export { connect, createClient, type ConnectOptions } from './api/connect.ts';
export { defaultClient, setDefaultClient } from './client/default-client.ts';
export { SharedObject, type ObjectKey, type WaitOptions } from './api/shared-object.ts';
export { AtomicLong } from './api/atomic-long.ts';
export { AtomicBoolean } from './api/atomic-boolean.ts';
export { AtomicReference } from './api/atomic-reference.ts';
export { SharedMap, type ReducerName } from './api/shared-map.ts';
export { SharedList } from './api/shared-list.ts';
export { AtomicMatrix, type Numbers } from './api/atomic-matrix.ts';
export { CyclicBarrier } from './api/cyclic-barrier.ts';
export { CountDownLatch } from './api/count-down-latch.ts';
export { Semaphore } from './api/semaphore.ts';
export { Lock } from './api/lock.ts';
export { SharedFuture } from './api/shared-future.ts';
export { LatticeObject, type LatticeKey } from './api/lattice-object.ts';
export { LwwRegister } from './api/lww-register.ts';
export { PnCounter } from './api/pn-counter.ts';
export { MaxRegister } from './api/max-register.ts';
export { GSet } from './api/g-set.ts';
export { OrSet } from './api/or-set.ts';
export { LwwMap } from './api/lww-map.ts';
export { CausalRegister, type CausalRegisterOptions } from './api/causal-register.ts';
export { makeSession as session, currentSession, Session, type Consistency, type SessionOptions } from './client/session.ts';
export type { CacheOptions, CacheStats } from './client/lattice-cache.ts';
export { Client, type ClientOptions } from './client/client.ts';
export { ObjectRef } from './protocol/codec.ts';
export * from './errors/index.ts';
export { task, type Task, type TaskOptions, type ThreadHandle, type SpawnOptions } from './api/task.ts';
export { CloudThread } from './api/cloud-thread.ts';
export { dag, type Dag, type DagNode, type DagRun, type DagRunStatus, type DagStartOptions, type DagCallOptions } from './compose/dag.ts';
export type { DagNodeStatus } from './objects/dag-run.ts';
export { threadId, send, recv, type Message, type SendOptions, type RecvOptions } from './api/messaging.ts';
export { ServerlessExecutor, type ParallelForOptions } from './api/serverless-executor.ts';
export { CloudPool, type CloudPoolOptions, type RunOptions } from './api/cloud-pool.ts';
export { configureRuntime, shutdownRuntime, onThreadCounts, type RuntimeOptions, type ThreadCounts } from './runtime/runtime.ts';
export type { Backend, BackendName, BackendOptions, WorkerStats } from './runtime/backend.ts';
export type { FunctionAddress } from './runtime/function-relay.ts';
export { sharedClass, type SharedClass, type SharedHandle, type RemoteMethods } from './api/shared-class.ts';
export { blockUntil, callState, notifyAll, onCancel } from './objects/monitor.ts';
export type { UserTypeOptions } from './objects/user-types.ts';
export type { NodeInfo, ObjectDescription } from './protocol/messages.ts';
