// Type-level test: `npx tsc --noEmit` (part of `npm test`) is the assertion. The built-in handles
// call their node through `invoke`, checked against their state classes: each `@ts-expect-error`
// line below must fail to compile (tsc reports an unused one). The runtime test checks the other
// half of the contract: every method a handle calls is one its node's type lets through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AtomicBoolean,
  AtomicLong,
  AtomicMatrix,
  AtomicReference,
  CountDownLatch,
  CyclicBarrier,
  Lock,
  Semaphore,
  SharedFuture,
  SharedList,
  SharedMap,
  type SharedObject,
  CausalRegister,
  GSet,
  LwwMap,
  LwwRegister,
  MaxRegister,
  OrSet,
  PnCounter,
} from '../src/index.ts';
import { BUILTIN_TYPES } from '../src/objects/builtins.ts';

/** Handles that call wrongly: compiled, never constructed. */
class MisspelledLong extends AtomicLong {
  typo(): Promise<number> {
    // @ts-expect-error: AtomicLongState has no incrementAndGt
    return this.invoke('incrementAndGt', []);
  }
  field(): Promise<number> {
    // @ts-expect-error: value is a field of the state, not a method
    return this.invoke('value', []);
  }
  tooMany(): Promise<number> {
    // @ts-expect-error: get takes no arguments
    return this.invoke('get', [1]);
  }
  tooFew(): Promise<boolean> {
    // @ts-expect-error: compareAndSet takes expected and next
    return this.invoke('compareAndSet', [1]);
  }
  otherType(): Promise<number> {
    // @ts-expect-error: countDown is a CountDownLatch's method, not an AtomicLong's
    return this.invoke('countDown', []);
  }
  right(): Promise<boolean> {
    return this.invoke('compareAndSet', [1, 2]);
  }
}

class MisspelledMap extends SharedMap {
  typo(): Promise<number> {
    // @ts-expect-error: SharedMapState has no mergeALL
    return this.invoke('mergeALL', [[], 'sum']);
  }
  right(): Promise<number> {
    return this.invoke('mergeAll', [[], 'sum']);
  }
}

class MisspelledLock extends Lock {
  privateHelper(): Promise<number> {
    // @ts-expect-error: grant is private to LockState: the node does not serve it
    return this.invoke('grant', []);
  }
  optional(): Promise<void> {
    return this.invoke('unlock', []);
  }
}

class MisspelledList extends SharedList {
  typo(): Promise<number> {
    // @ts-expect-error: SharedListState has no length
    return this.invoke('length', []);
  }
  rest(): Promise<number> {
    return this.invoke('push', [1, 2, 3]);
  }
}

void [MisspelledLong, MisspelledMap, MisspelledLock, MisspelledList];

/** Each built-in handle class, its type name, and its methods that run locally (no call of their own). */
const HANDLES: ReadonlyArray<[new (key: string) => SharedObject, string, readonly string[]]> = [
  [AtomicLong, 'AtomicLong', []],
  [AtomicBoolean, 'AtomicBoolean', []],
  [AtomicReference, 'AtomicReference', []],
  [AtomicMatrix, 'AtomicMatrix', []],
  [SharedMap, 'SharedMap', []],
  [SharedList, 'SharedList', []],
  [CountDownLatch, 'CountDownLatch', []],
  [CyclicBarrier, 'CyclicBarrier', []],
  [Semaphore, 'Semaphore', []],
  [Lock, 'Lock', ['withLock']],
  [SharedFuture, 'SharedFuture', []],
];

test("every method of a built-in handle is one its node's type lets through, and every built-in has a handle", () => {
  for (const [Handle, name, local] of HANDLES) {
    const type = BUILTIN_TYPES.find((t) => t.name === name);
    assert.ok(type, `no built-in type ${name}`);
    assert.equal(new Handle('k').type, name);
    const methods = Object.getOwnPropertyNames(Handle.prototype).filter((m) => m !== 'constructor' && !local.includes(m));
    for (const m of methods) assert.ok(type.methods.has(m), `${name}.${m} is not callable on the node`);
  }
  // DagRun and Mailbox have no public handle: a DAG run's state is called by dag() and the workers,
  // a thread's mailbox through client/mailbox.ts (whose calls the compiler checks against MailboxState).
  assert.deepEqual(BUILTIN_TYPES.filter((t) => !t.lattice && t.name !== 'DagRun').map((t) => t.name).sort(), [...HANDLES.map(([, name]) => name), 'Mailbox'].sort());
  assert.deepEqual([...BUILTIN_TYPES.find((t) => t.name === 'DagRun')!.methods.keys()].sort(), ['failed', 'finished', 'result', 'state']);
});

test('every lattice type has a handle, and its node type serves the cache protocol', () => {
  const handles: ReadonlyArray<new (key: string) => SharedObject> = [LwwRegister, PnCounter, MaxRegister, GSet, OrSet, LwwMap, CausalRegister];
  const names = handles.map((Handle) => new Handle('k').type);
  assert.deepEqual(BUILTIN_TYPES.filter((t) => t.lattice).map((t) => t.name).sort(), [...names].sort());
  for (const name of names) {
    const type = BUILTIN_TYPES.find((t) => t.name === name)!;
    assert.deepEqual([...type.methods.keys()].sort(), ['merge', 'pin', 'read', 'retire', 'unpin', 'watch']);
  }
});
