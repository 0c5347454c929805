import { AtomicBooleanType } from './atomic-boolean.ts';
import { AtomicLongType } from './atomic-long.ts';
import { AtomicMatrixType } from './atomic-matrix.ts';
import { AtomicReferenceType } from './atomic-reference.ts';
import { CountDownLatchType } from './count-down-latch.ts';
import { CyclicBarrierType } from './cyclic-barrier.ts';
import { DagRunType } from './dag-run.ts';
import { LockType } from './lock.ts';
import { MailboxType } from './mailbox.ts';
import type { ObjectType } from './object-type.ts';
import { SemaphoreType } from './semaphore.ts';
import { SharedFutureType } from './shared-future.ts';
import { SharedListType } from './shared-list.ts';
import { SharedMapType } from './shared-map.ts';
import { LATTICES } from '../lattice/index.ts';
import { defineLatticeType } from './lattice-object.ts';

/** Every built-in type; each node loads them all. */
export const BUILTIN_TYPES: readonly ObjectType[] = [
  AtomicLongType,
  AtomicBooleanType,
  AtomicReferenceType,
  SharedMapType,
  SharedListType,
  AtomicMatrixType,
  CyclicBarrierType,
  CountDownLatchType,
  SemaphoreType,
  LockType,
  SharedFutureType,
  DagRunType,
  MailboxType,
  ...[...LATTICES.values()].map(defineLatticeType),
];
