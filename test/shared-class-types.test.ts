// Type-level test: `npx tsc --noEmit` (part of `npm test`) is the assertion. Each
// `@ts-expect-error` line must fail to compile, and each expectType must match exactly; the
// runtime test below only checks that the handle carries the methods the types promise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedClass, type SharedObject } from '../src/index.ts';
import { BoundedBuffer, Centroids, Directory } from './fixtures/shared-classes.ts';

/** Whether `A` and `B` are the same type (not just assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/**
 * `expectType<T>()(value)` compiles only when `value`'s type is exactly `T`: assignable is not
 * enough, so `any` or a wider type fails.
 */
function expectType<T>(): <A>(value: A & (Equal<A, T> extends true ? unknown : never)) => void {
  return () => undefined;
}

const Typed = sharedClass(
  'Typed',
  class {
    n = 0;
    constructor(readonly label: string, readonly start?: number) {}
    add(k: number, note?: string): number {
      void note;
      return (this.n += k);
    }
    label2(): string {
      return this.label;
    }
    nothing(): void {}
    pair(a: string, b: boolean): [string, boolean] {
      return [a, b];
    }
    _helper(): number {
      return 1;
    }
    arrow = (): number => 1;
  },
);

/** Never called: these lines are checked by the compiler only. */
function compileChecks(key: string): void {
  const c = new Centroids(key, 2, 3, 4);
  const typed = new Typed(key, 'x');
  new Typed({ key, forceNew: true }, 'x', 5);

  expectType<Promise<number>>()(c.add([[1, 2]], [1]));
  expectType<Promise<number[][]>>()(c.centroidsOf(1));
  expectType<Promise<number>>()(typed.add(1));
  expectType<Promise<number>>()(typed.add(1, 'why'));
  expectType<Promise<string>>()(typed.label2());
  expectType<Promise<void>>()(typed.nothing());
  expectType<Promise<[string, boolean]>>()(typed.pair('a', true));
  expectType<Promise<number>>()(typed.withOptions({ timeoutMs: 5 }).add(1));
  expectType<Promise<boolean>>()(typed.destroy());
  expectType<Promise<unknown>>()(new BoundedBuffer(key, 2).take());
  expectType<Promise<SharedObject | null>>()(new Directory(key).lookup('x'));
  const handle: SharedObject = typed;
  void handle;

  // @ts-expect-error the check itself fails on a wrong type: add resolves to a number
  expectType<Promise<string>>()(typed.add(1));
  // @ts-expect-error wrong argument type
  void c.add('sums', [1]);
  // @ts-expect-error wrong argument type in a nested position
  void c.add([['1']], [1]);
  // @ts-expect-error too few arguments
  void c.add([[1]]);
  // @ts-expect-error too many arguments
  void typed.add(1, 'note', 'extra');
  // @ts-expect-error unknown method
  void c.nope();
  // @ts-expect-error unknown method through withOptions
  void c.withOptions({ timeoutMs: 1 }).nope();
  // @ts-expect-error a field is not a method
  void typed.n();
  // @ts-expect-error _helpers stay on the node
  void typed._helper();
  // @ts-expect-error wrong constructor argument type
  new Centroids(key, 'two', 3, 4);
  // @ts-expect-error missing constructor argument
  new Centroids(key, 2, 3);
  // @ts-expect-error too many constructor arguments
  new Typed(key, 'x', 1, 2);
  // @ts-expect-error a key must be a string or { key }
  new Typed(42, 'x');
  // @ts-expect-error a method result is a Promise, not the value
  const n: number = typed.add(1);
  void n;
  // @ts-expect-error withOptions takes wait options
  typed.withOptions({ timeout: 5 });

  // Function-valued fields look like methods to the type, though the node does not serve them
  // (documented in sharedClass): this compiles, and the runtime test shows the handle lacks it.
  void typed.arrow;
}
void compileChecks;

test('a handle carries exactly the methods its type promises', () => {
  const typed = new Typed('k', 'x');
  for (const m of ['add', 'label2', 'nothing', 'pair', 'withOptions', 'destroy']) {
    assert.equal(typeof (typed as unknown as Record<string, unknown>)[m], 'function', m);
  }
  for (const m of ['_helper', 'arrow', 'n']) assert.equal((typed as unknown as Record<string, unknown>)[m], undefined, m);
  assert.deepEqual([...Typed.objectType.methods.keys()].sort(), ['add', 'label2', 'nothing', 'pair']);
});
