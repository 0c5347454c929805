/** One scenario's record in `bench/results/latest.json`. */
export interface ScenarioResult {
  scenario: string;
  what: string;
  /** Skein's figures. */
  skein: Record<string, number>;
  /** Each peer's figures, by peer name. */
  peers: Record<string, Record<string, number>>;
  /** Skein over peer (or peer over Skein for throughput), by name. */
  ratios: Record<string, number>;
  /** The targets from BENCHMARKS.md, by ratio name. */
  targets: Record<string, { max?: number; min?: number }>;
  /** What the figures mean and what limits them, printed under the table. */
  notes?: string[];
}
