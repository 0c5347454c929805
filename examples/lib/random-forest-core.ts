/**
 * The random forest shared by examples/random-forest.ts and its worker_threads twin: Breiman's,
 * as Smile's `RandomForest` trains it. Each tree is a CART tree grown on a bootstrap sample of the
 * training set, splitting each node on the best Gini split among a random subset of
 * `floor(sqrt(features))` numeric features; the forest predicts by majority vote. A tree's
 * bootstrap sample and feature choices come from a generator seeded by (seed, tree index), so the
 * forest is the same whichever thread trains which tree.
 *
 * A tree is a `Float64Array` of nodes, {@link NODE} numbers each, the root first: a split node is
 * `[feature, threshold, left, right]` (a row goes left when its feature is `<= threshold`; left
 * and right are node indices), a leaf is `[-1, class, 0, 0]`.
 */
import { Random } from './random.ts';
import type { ForestSpec } from './datasets.ts';

/** Numbers per node of a tree. */
export const NODE = 4;

/** The feature field of a leaf. */
const LEAF = -1;

/** How to grow each tree. */
export interface TreeParams {
  /** The forest's seed: tree `t` draws from the generator (seed, -1 - t). */
  seed: number;
  /** Depth below which no node is split (the root is at depth 0). */
  maxDepth: number;
  /** A node with fewer samples than this (bootstrap repeats counted) is a leaf. */
  nodeSize: number;
}

/** A forest to train and test: the data set, the trees, and the threads that train them. */
export interface ForestParams extends ForestSpec, TreeParams {
  /** Trees in the forest. */
  trees: number;
  /** Examples past the training set that measure the forest's accuracy. */
  heldOut: number;
  /** Threads, each training one contiguous block of the trees. */
  workers: number;
}

/** The trained forest and how well it does. */
export interface ForestResult {
  /** Tree `t` at index `t`. */
  trees: Float64Array[];
  /** The share of the held-out examples the forest labels right. */
  accuracy: number;
}

/** Throws a RangeError unless every count is a positive integer (`heldOut` and `maxDepth` may be 0). */
export function checkForestParams(p: ForestParams): void {
  const counts = { points: p.points, features: p.features, trees: p.trees, workers: p.workers, nodeSize: p.nodeSize };
  for (const [name, v] of Object.entries(counts)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  for (const [name, v] of Object.entries({ heldOut: p.heldOut, maxDepth: p.maxDepth })) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a whole number, got ${v}`);
  }
}

/**
 * A training set as trees are grown from it: its feature columns, its labels, and per feature the
 * rows in increasing order of that feature (`order`) and each row's place in it (`rank`), sorted
 * once.
 */
export class TrainingSet {
  readonly size: number;
  readonly features: number;
  readonly columns: readonly Float64Array[];
  readonly labels: Int32Array;
  readonly order: Int32Array[];
  readonly rank: Int32Array[];

  /** `columns`: one per feature, then one of the labels, class numbers (0, 1, ...); all as long. */
  constructor(columns: readonly Float64Array[]) {
    this.columns = columns.slice(0, -1);
    this.features = this.columns.length;
    this.size = columns[0]?.length ?? 0;
    if (this.size === 0 || this.features < 1) throw new RangeError('a training set needs at least one feature column and a label column, not empty');
    columns.forEach((column, j) => {
      if (column.length !== this.size) throw new RangeError(`column ${j} has ${column.length} values, not ${this.size}`);
    });
    this.labels = Int32Array.from(columns.at(-1)!, (label, i) => {
      if (!Number.isInteger(label) || label < 0) throw new RangeError(`row ${i}'s label ${label} is not a class number`);
      return label;
    });
    this.order = this.columns.map((column) => Int32Array.from({ length: this.size }, (_, i) => i).sort((a, b) => column[a]! - column[b]! || a - b));
    this.rank = this.order.map((order) => {
      const rank = new Int32Array(this.size);
      order.forEach((row, at) => (rank[row] = at));
      return rank;
    });
  }

  /** How many classes the labels number: the largest label plus one. */
  get classes(): number {
    return this.labels.reduce((max, label) => Math.max(max, label), 0) + 1;
  }
}

/** Tree `tree` of the forest grown from `set` as `params` say (see the module doc). */
export function trainTree(set: TrainingSet, tree: number, { seed, maxDepth, nodeSize }: TreeParams): Float64Array {
  const { size, features, columns, labels, order, rank } = set;
  const classes = set.classes;
  const rng = new Random(seed, -1 - tree);
  // The bootstrap sample: `weight[i]` copies of row i.
  const weight = new Int32Array(size);
  for (let i = 0; i < size; i++) weight[rng.below(size)]!++;
  const sampled = Int32Array.from({ length: size }, (_, i) => i).filter((i) => weight[i]! > 0);

  const mtry = Math.max(1, Math.floor(Math.sqrt(features)));
  const candidates = Int32Array.from({ length: features }, (_, j) => j);
  const keys = new Uint32Array(size);
  const left = new Float64Array(classes);
  const nodes: number[] = [];

  /** The best split of `rows` (whose class counts are `counts`) among `mtry` random features, if any improves on none. */
  const bestSplit = (rows: Int32Array, counts: Float64Array, total: number): { feature: number; threshold: number } | undefined => {
    // Minimising the children's weighted Gini impurity is maximising sum over children and classes of count^2 / child size.
    let best = counts.reduce((s, c) => s + c * c, 0) / total;
    best += best * 1e-12;
    let split: { feature: number; threshold: number } | undefined;
    for (let k = 0; k < mtry; k++) {
      const pick = k + rng.below(features - k);
      [candidates[k], candidates[pick]] = [candidates[pick]!, candidates[k]!];
      const f = candidates[k]!;
      const column = columns[f]!;
      const sorted = keys.subarray(0, rows.length);
      for (let r = 0; r < rows.length; r++) sorted[r] = rank[f]![rows[r]!]!;
      sorted.sort();
      left.fill(0);
      let leftTotal = 0;
      for (let r = 0; r < rows.length - 1; r++) {
        const row = order[f]![sorted[r]!]!;
        left[labels[row]!]! += weight[row]!;
        leftTotal += weight[row]!;
        const value = column[row]!;
        const next = column[order[f]![sorted[r + 1]!]!]!;
        if (value === next) continue;
        const rightTotal = total - leftTotal;
        let score = 0;
        for (let c = 0; c < classes; c++) score += left[c]! ** 2 / leftTotal + (counts[c]! - left[c]!) ** 2 / rightTotal;
        if (score > best) {
          best = score;
          const mid = (value + next) / 2;
          split = { feature: f, threshold: mid < next ? mid : value };
        }
      }
    }
    return split;
  };

  /** Adds the subtree of `rows` at `depth`; answers its root's index. */
  const grow = (rows: Int32Array, depth: number): number => {
    const at = nodes.length / NODE;
    const counts = new Float64Array(classes);
    for (const row of rows) counts[labels[row]!]! += weight[row]!;
    const total = counts.reduce((s, c) => s + c, 0);
    const majority = counts.indexOf(Math.max(...counts));
    nodes.push(LEAF, majority, 0, 0);
    if (depth >= maxDepth || total < nodeSize || counts[majority] === total) return at;
    const split = bestSplit(rows, counts, total);
    if (split === undefined) return at;
    const column = columns[split.feature]!;
    nodes[at * NODE] = split.feature;
    nodes[at * NODE + 1] = split.threshold;
    const leftRoot = grow(rows.filter((row) => column[row]! <= split.threshold), depth + 1);
    const rightRoot = grow(rows.filter((row) => column[row]! > split.threshold), depth + 1);
    nodes[at * NODE + 2] = leftRoot;
    nodes[at * NODE + 3] = rightRoot;
    return at;
  };

  grow(sampled, 0);
  return Float64Array.from(nodes);
}

/** `rows` (of equal length) as columns: column `j` holds value `j` of every row. */
export function toColumns(rows: readonly ArrayLike<number>[]): Float64Array[] {
  return Array.from({ length: rows[0]?.length ?? 0 }, (_, j) => Float64Array.from(rows, (row) => row[j]!));
}

/** The class `tree` gives the features `x`. */
export function predictTree(tree: Float64Array, x: ArrayLike<number>): number {
  let at = 0;
  while (tree[at * NODE] !== LEAF) at = x[tree[at * NODE]!]! <= tree[at * NODE + 1]! ? tree[at * NODE + 2]! : tree[at * NODE + 3]!;
  return tree[at * NODE + 1]!;
}

/** The class most of `trees` give `x` (a tie goes to the lowest class). */
export function predictForest(trees: readonly Float64Array[], x: ArrayLike<number>): number {
  const votes: number[] = [];
  for (const tree of trees) {
    const c = predictTree(tree, x);
    votes[c] = (votes[c] ?? 0) + 1;
  }
  let best = 0;
  for (let c = 1; c < votes.length; c++) if ((votes[c] ?? 0) > (votes[best] ?? 0)) best = c;
  return best;
}

/** The share of `rows` (features then label) that `trees` label right; NaN for no rows. */
export function forestAccuracy(trees: readonly Float64Array[], rows: readonly ArrayLike<number>[]): number {
  let right = 0;
  for (const row of rows) if (predictForest(trees, row) === row[row.length - 1]) right++;
  return right / rows.length;
}
