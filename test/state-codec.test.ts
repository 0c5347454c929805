import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedClass } from '../src/api/shared-class.ts';
import { SerializationError } from '../src/errors/serialization-error.ts';
import { AtomicBooleanState, AtomicBooleanType } from '../src/objects/atomic-boolean.ts';
import { AtomicLongState, AtomicLongType } from '../src/objects/atomic-long.ts';
import { AtomicMatrixState, AtomicMatrixType } from '../src/objects/atomic-matrix.ts';
import { AtomicReferenceState, AtomicReferenceType } from '../src/objects/atomic-reference.ts';
import { CountDownLatchState, CountDownLatchType } from '../src/objects/count-down-latch.ts';
import { CyclicBarrierState, CyclicBarrierType } from '../src/objects/cyclic-barrier.ts';
import { LockState, LockType } from '../src/objects/lock.ts';
import { applyInContext, PARK, SESSION_ENDED, type CallContext } from '../src/objects/monitor.ts';
import type { ObjectType } from '../src/objects/object-type.ts';
import { SemaphoreState, SemaphoreType } from '../src/objects/semaphore.ts';
import { SharedFutureState, SharedFutureType } from '../src/objects/shared-future.ts';
import { SharedListState, SharedListType } from '../src/objects/shared-list.ts';
import { SharedMapState, SharedMapType } from '../src/objects/shared-map.ts';
import { decodeState, encodeState } from '../src/objects/state-codec.ts';
import { ObjectRef } from '../src/protocol/codec.ts';

function context(session = 's1', memo?: object): CallContext {
  return { session, memo, cancel: undefined, leased: false, notify: false };
}

/** Runs a method as the node does; a throw comes back as `{ threw: name, message }`. */
function call(instance: object, method: string, args: unknown[] = [], ctx: CallContext = context()): unknown {
  const fn = (instance as Record<string, (...a: unknown[]) => unknown>)[method]!;
  try {
    return applyInContext(ctx, fn, instance, args);
  } catch (err) {
    return { threw: (err as Error).name, message: (err as Error).message };
  }
}

function roundTrip<T extends object>(type: ObjectType, instance: T, extras?: unknown[]): { copy: T; extras: unknown[] } {
  const decoded = decodeState(type, encodeState(type, instance, extras));
  assert.equal(Object.getPrototypeOf(decoded.instance), type.stateClass.prototype);
  assert.deepStrictEqual(decoded.instance, instance);
  return { copy: decoded.instance as T, extras: decoded.extras };
}

/** The same calls on both copies give the same results and leave equal states. */
function sameFuture(a: object, b: object, calls: [string, unknown[]?, string?][]): void {
  for (const [method, args = [], session = 's1'] of calls) {
    assert.deepStrictEqual(call(b, method, args, context(session)), call(a, method, args, context(session)), method);
  }
  assert.deepStrictEqual(b, a);
}

test('AtomicLong and AtomicBoolean keep their values', () => {
  const long = new AtomicLongState(40);
  call(long, 'addAndGet', [-50]);
  call(long, 'incrementAndGet');
  const { copy } = roundTrip(AtomicLongType, long);
  sameFuture(long, copy, [['get'], ['compareAndSet', [-9, 7]], ['getAndAdd', [3]], ['get']]);

  const bool = new AtomicBooleanState(false);
  call(bool, 'getAndSet', [true]);
  sameFuture(bool, roundTrip(AtomicBooleanType, bool).copy, [['compareAndSet', [true, false]], ['get']]);
});

test('AtomicReference keeps a nested value with odd numbers, bigints, refs, dates and aliasing', () => {
  const shared = { n: 1 };
  const value = {
    nums: [-0, NaN, Infinity, -Infinity, 2 ** 60, 1.5],
    big: [5n, -(2n ** 80n)],
    text: 'é€', flags: [true, false], empty: [null, undefined],
    when: new Date(1_700_000_000_000),
    ref: new ObjectRef('AtomicLong', 'hits'),
    a: shared, b: [shared],
    map: new Map<unknown, unknown>([['k', [1, 2]], [3, shared]]),
    set: new Set(['x', shared]),
    re: /a+b/gi,
    err: new RangeError('out'),
  };
  const ref = new AtomicReferenceState(value);
  const { copy } = roundTrip(AtomicReferenceType, ref);
  const v = copy.value as typeof value;
  assert.ok(Object.is(v.nums[0], -0));
  assert.equal(typeof v.big[0], 'bigint');
  assert.ok(v.ref instanceof ObjectRef);
  assert.equal(v.a, v.b[0]);
  assert.equal(v.map.get(3), v.a);
  assert.ok(v.set.has(v.a));
  assert.ok(v.err instanceof RangeError);
  sameFuture(ref, copy, [['compareAndSet', [value, 1]], ['get']]);
});

test('AtomicMatrix keeps its Float64Array cells', () => {
  const m = new AtomicMatrixState(3, 4);
  call(m, 'addRow', [1, [1, 2, 3, 4]]);
  call(m, 'set', [2, 3, -0.5]);
  const { copy } = roundTrip(AtomicMatrixType, m);
  assert.ok(copy.data instanceof Float64Array);
  sameFuture(m, copy, [['add', [new Float64Array(12).fill(2)]], ['row', [1]], ['toArray']]);
});

test('SharedMap and SharedList keep entries in order', () => {
  const map = new SharedMapState();
  call(map, 'set', ['b', { deep: [1, new Set([2])] }]);
  call(map, 'set', [1, 'one']);
  call(map, 'merge', ['n', 5, 'sum']);
  call(map, 'delete', ['b']);
  call(map, 'set', ['b', null]);
  const m = roundTrip(SharedMapType, map).copy;
  assert.deepStrictEqual([...m.map.keys()], [1, 'n', 'b']);
  sameFuture(map, m, [['merge', ['n', 2, 'sum']], ['entries'], ['mergeAll', [[['x', 1]], 'sum']], ['keys']]);

  const list = new SharedListState();
  call(list, 'push', [1, 'two', [3], { four: 4 }, undefined]);
  call(list, 'removeAt', [0]);
  sameFuture(list, roundTrip(SharedListType, list).copy, [['push', [9]], ['slice', [1]], ['set', [0, 'x']], ['size']]);
});

test('CountDownLatch keeps its count', () => {
  const latch = new CountDownLatchState(3);
  call(latch, 'countDown');
  sameFuture(latch, roundTrip(CountDownLatchType, latch).copy, [['countDown'], ['getCount'], ['countDown'], ['getCount']]);
});

test('CyclicBarrier with parties waiting: their memos stay the arrivals the barrier holds', () => {
  const barrier = new CyclicBarrierState(3);
  const waiting = [context('s1'), context('s2')];
  for (const ctx of waiting) assert.equal(call(barrier, 'await', [], ctx), PARK);
  const memos = waiting.map((c) => c.memo!);
  const { copy, extras } = roundTrip(CyclicBarrierType, barrier, memos);
  assert.deepStrictEqual(extras, memos);
  assert.equal(extras[0], copy.arrivals[0]);
  assert.equal(extras[1], copy.arrivals[1]);
  // The last party arrives on each copy; the parked calls re-run with their (decoded) memos.
  const copies = extras.map((memo, i) => context(`s${i + 1}`, memo as object));
  assert.equal(call(copy, 'await', [], context('s3')), call(barrier, 'await', [], context('s3')));
  for (let i = 0; i < 2; i++) assert.equal(call(copy, 'await', [], copies[i]), call(barrier, 'await', [], waiting[i]));
  assert.deepStrictEqual(copy, barrier);
  sameFuture(barrier, copy, [['waiting'], ['reset'], ['parties']]);
});

test('Semaphore keeps its leases by session, Lock its holder', () => {
  const sem = new SemaphoreState(5);
  call(sem, 'acquire', [2], context('s1'));
  call(sem, 'tryAcquire', [1], context('s2'));
  call(sem, 'acquire', [1], context('s1'));
  const s = roundTrip(SemaphoreType, sem).copy;
  assert.deepStrictEqual([...s.held], [['s1', 3], ['s2', 1]]);
  s[SESSION_ENDED]('s1');
  sem[SESSION_ENDED]('s1');
  sameFuture(sem, s, [['availablePermits'], ['release', [1], 's3'], ['availablePermits']]);

  const lock = new LockState();
  call(lock, 'lock', [], context('s1'));
  const l = roundTrip(LockType, lock).copy;
  sameFuture(lock, l, [['tryLock', [], 's2'], ['unlock', [], 's2'], ['unlock', [1], 's1'], ['tryLock', [], 's2'], ['isLocked']]);
});

test('SharedFuture keeps its value or failure', () => {
  const done = new SharedFutureState();
  call(done, 'set', [{ answer: [42] }]);
  sameFuture(done, roundTrip(SharedFutureType, done).copy, [['get'], ['set', [1]], ['isDone']]);
  const failed = new SharedFutureState();
  call(failed, 'fail', ['no']);
  sameFuture(failed, roundTrip(SharedFutureType, failed).copy, [['get'], ['fail', ['again']], ['isDone']]);
});

const Graph = sharedClass(
  'StateCodecGraph',
  class Node {
    edges = new Map<string, number[]>();
    created = new Date(0);
    self: Node | undefined;
    child: Node | null = null;
    constructor(readonly name: string = 'root') {
      this.self = this;
    }
    link(from: string, to: number): number {
      const list = this.edges.get(from) ?? [];
      list.push(to);
      this.edges.set(from, list);
      return list.length;
    }
    grow(name: string): string {
      this.child = new Node(name);
      this.child.child = this;
      return this.child.name;
    }
    summary(): unknown {
      return [this.name, [...this.edges], this.created.getTime(), this.child?.name, this.self === this, this.child?.child === this];
    }
  },
);

test('a user class with Maps of arrays, a Date, a cycle and a nested instance of itself', () => {
  const type = Graph.objectType;
  const Cls = type.stateClass;
  const g = new Cls() as InstanceType<typeof Cls> & { child: object & { child: unknown }; self: unknown };
  call(g, 'link', ['a', 1]);
  call(g, 'link', ['a', 2]);
  call(g, 'link', ['b', 3]);
  call(g, 'grow', ['leaf']);
  const { copy } = roundTrip(type, g);
  assert.equal(copy.self, copy);
  assert.equal(Object.getPrototypeOf(copy.child), Cls.prototype);
  assert.equal(copy.child.child, copy);
  assert.deepStrictEqual(Object.keys(copy), Object.keys(g));
  sameFuture(g, copy, [['summary'], ['link', ['a', 4]], ['summary']]);
});

test('a 100k-deep linked list round-trips without overflowing the stack', () => {
  let head: { i: number; next: unknown } | null = null;
  for (let i = 0; i < 100_000; i++) head = { i, next: head };
  const ref = new AtomicReferenceState(head);
  let n = 0;
  for (let at = decodeState(AtomicReferenceType, encodeState(AtomicReferenceType, ref)).instance as { value: unknown }, v = at.value as typeof head; v; v = v.next as typeof head) {
    assert.equal(v.i, 99_999 - n++);
  }
  assert.equal(n, 100_000);
});

function refused(value: unknown, path: string, message: RegExp, extras?: unknown[]): void {
  assert.throws(
    () => encodeState(AtomicReferenceType, new AtomicReferenceState(value), extras),
    (err: unknown) => err instanceof SerializationError && err.code === 'ESERIALIZE' && err.path === path && message.test(err.message),
  );
}

test('what cannot travel is refused with its path', () => {
  refused({ list: [1, { cb: () => 1 }] }, 'AtomicReference state.value.list[1].cb', /a function/);
  refused(new Map([['k', Symbol('s')]]), 'AtomicReference state.value.get(k)', /a symbol/);
  refused(new Set([1, new WeakMap()]), 'AtomicReference state.value<set item 1>', /WeakMap instance/);
  refused({ p: Promise.resolve() }, 'AtomicReference state.value.p', /Promise instance/);
  refused([new (class Point {})()], 'AtomicReference state.value[0]', /Point instance/);
  refused({ [Symbol('tag')]: 1 }, 'AtomicReference state.value', /symbol-keyed/);
  refused(Object.defineProperty({}, 'x', { get: () => 1, enumerable: true }), 'AtomicReference state.value', /accessor field 'x'/);
  refused(null, 'AtomicReference extras[0].f', /a function/, [{ f() {} }]);
  assert.throws(() => encodeState(AtomicLongType, new AtomicBooleanState()), SerializationError);
});

test('malformed bytes, and bytes of another type, throw SerializationError', () => {
  const good = encodeState(AtomicLongType, new AtomicLongState(3));
  for (const bytes of [new Uint8Array(0), new Uint8Array([0xc1]), good.subarray(0, good.length - 1), new Uint8Array([0x93, 1, 2, 3])]) {
    assert.throws(() => decodeState(AtomicLongType, bytes), SerializationError);
  }
  assert.throws(() => decodeState(AtomicBooleanType, good), /hold the state of a AtomicLong/);
  // A node index out of range.
  const list = new SharedListState();
  list.items.push({});
  const bytes = Buffer.from(encodeState(SharedListType, list));
  const at = bytes.lastIndexOf(2); // the list's one ref: node 2, the object
  bytes[at] = 0x7f;
  assert.throws(() => decodeState(SharedListType, bytes), /malformed: bad node index/);
});

test('typed arrays keep their exact type and views of one buffer share it', () => {
  const buffer = new ArrayBuffer(40);
  const value = { bytes: new Uint8Array(buffer, 3, 8), floats: new Float64Array(buffer, 8, 4), dv: new DataView(buffer, 0, 8), b: Buffer.from('hi'), i: new BigInt64Array([1n, -2n]) };
  value.floats[1] = Math.PI;
  value.bytes[0] = 7;
  const { copy } = roundTrip(AtomicReferenceType, new AtomicReferenceState(value));
  const v = copy.value as typeof value;
  assert.ok(Buffer.isBuffer(v.b));
  assert.equal(v.bytes.buffer, v.floats.buffer);
  v.bytes[5] = 9; // byte 8 of the original buffer: the first float's lowest byte
  assert.equal(new Uint8Array(v.floats.buffer, v.floats.byteOffset, 1)[0], 9);
});
