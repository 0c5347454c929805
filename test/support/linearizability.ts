/**
 * A linearizability checker for recorded histories (no maintained npm package does this): the
 * Wing–Gong search with Lowe's memoisation of (linearized set, object state), run per object,
 * since linearizability is local (a history is linearizable iff each object's sub-history is).
 *
 * An operation is linearizable next if no other pending operation returned before it was
 * invoked; the search tries those in turn against a sequential model and backtracks. An operation
 * whose outcome is unknown (the client gave up: timeout, lost connection) may take effect at any
 * point after its invocation, or never; its output is not checked.
 */

/** One operation of a history, as a client saw it. */
export interface Operation<I, O> {
  /** The object it was applied to: objects are checked independently. */
  key: string;
  /** Which client ran it, for reports. */
  client: number;
  input: I;
  /** What the client got back; `undefined` with `returned: Infinity` for an unknown outcome. */
  output: O | undefined;
  /** When it was invoked and when it returned (any clock both are read from; Infinity: unknown). */
  invoked: number;
  returned: number;
}

/** A sequential specification: the object's start state and what each operation does to it. */
export interface Model<S, I, O> {
  init(): S;
  /**
   * Applies `input` to `state`: the next state, or `undefined` if the operation cannot have given
   * `output` in that state. `output` is `undefined` for an operation of unknown outcome, which is
   * accepted in any state.
   */
  step(state: S, input: I, output: O | undefined): S | undefined;
  /** A string that is equal for equal states (for memoisation). */
  key(state: S): string;
}

/** The verdict on a history. */
export type Verdict<I, O> =
  | { ok: true }
  | {
      ok: false;
      /** The object whose sub-history has no linearization. */
      key: string;
      /** The longest order found that the model accepts, and the operations it could not place. */
      linearized: Operation<I, O>[];
      stuck: Operation<I, O>[];
    };

/** Checks `history` against `model`, one object at a time; `budget` bounds the search steps. */
export function checkLinearizable<S, I, O>(
  history: readonly Operation<I, O>[],
  model: Model<S, I, O>,
  budget = 5_000_000,
): Verdict<I, O> {
  for (const op of history) {
    if (!(op.invoked <= op.returned)) throw new RangeError(`operation of client ${op.client} on '${op.key}' returned before it was invoked`);
  }
  const byKey = new Map<string, Operation<I, O>[]>();
  for (const op of history) {
    let ops = byKey.get(op.key);
    if (!ops) byKey.set(op.key, (ops = []));
    ops.push(op);
  }
  for (const [key, ops] of byKey) {
    const verdict = checkOne(key, ops, model, budget);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

function checkOne<S, I, O>(key: string, unsorted: Operation<I, O>[], model: Model<S, I, O>, budget: number): Verdict<I, O> {
  const ops = [...unsorted].sort((a, b) => a.invoked - b.invoked);
  const n = ops.length;
  const done = new Uint8Array(n);
  const mustPlace = ops.filter((op) => op.returned !== Number.POSITIVE_INFINITY).length;
  const seen = new Set<string>();
  const order: number[] = [];
  let best: number[] = [];
  let steps = 0;

  const search = (state: S, placed: number): boolean => {
    if (placed === mustPlace) return true;
    if (++steps > budget) throw new Error(`linearizability search on '${key}' ran out of its budget of ${budget} steps`);
    const memo = `${bitsKey(done)}|${model.key(state)}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    // Only operations invoked before the earliest return among those not yet placed can go next.
    let horizon = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) if (!done[i] && ops[i]!.returned < horizon) horizon = ops[i]!.returned;
    for (let i = 0; i < n && ops[i]!.invoked <= horizon; i++) {
      if (done[i]) continue;
      const op = ops[i]!;
      const next = model.step(state, op.input, op.returned === Number.POSITIVE_INFINITY ? undefined : op.output);
      if (next === undefined) continue;
      done[i] = 1;
      order.push(i);
      if (order.length > best.length) best = [...order];
      const known = op.returned === Number.POSITIVE_INFINITY ? 0 : 1;
      if (search(next, placed + known)) return true;
      order.pop();
      done[i] = 0;
    }
    return false;
  };

  if (search(model.init(), 0)) return { ok: true };
  const placed = new Set(best);
  return {
    ok: false,
    key,
    linearized: best.map((i) => ops[i]!),
    stuck: ops.filter((op, i) => !placed.has(i) && op.returned !== Number.POSITIVE_INFINITY),
  };
}

function bitsKey(bits: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bits.length; i += 16) {
    let word = 0;
    for (let j = i; j < Math.min(i + 16, bits.length); j++) word = (word << 1) | bits[j]!;
    out += String.fromCharCode(word);
  }
  return out;
}

/** Operations of a register holding `T`, as the checker sees them. */
export type RegisterOps<T> = { op: 'get' } | { op: 'set'; value: T } | { op: 'compareAndSet'; expected: T; next: T };

/** A register's `get`, `set` and `compareAndSet` (by `===`), for the models below. */
function registerStep<T>(state: T, input: RegisterOps<T>, output: unknown): T | undefined {
  switch (input.op) {
    case 'get':
      return output === undefined || output === state ? state : undefined;
    case 'set':
      return input.value;
    case 'compareAndSet': {
      const swapped = state === input.expected;
      if (output !== undefined && output !== swapped) return undefined;
      return swapped ? input.next : state;
    }
  }
}

/** Operations of an `AtomicLong` as the checker sees them. */
export type CounterInput = RegisterOps<number> | { op: 'addAndGet'; delta: number };

/** The sequential `AtomicLong`, starting at 0. */
export const counterModel: Model<number, CounterInput, unknown> = {
  init: () => 0,
  key: (s) => String(s),
  step(state, input, output) {
    if (input.op !== 'addAndGet') return registerStep(state, input, output);
    const next = state + input.delta;
    return output === undefined || output === next ? next : undefined;
  },
};

/** Operations of an `AtomicReference` holding strings (or null) as the checker sees them. */
export type RegisterInput = RegisterOps<string | null>;

/** The sequential `AtomicReference`, starting at null. */
export const registerModel: Model<string | null, RegisterInput, unknown> = {
  init: () => null,
  key: (s) => JSON.stringify(s),
  step: registerStep,
};
