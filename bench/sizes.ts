/** How much each phase of the benchmark measures: the full run, `BENCH_QUICK=1` and `BENCH_SMOKE=1`. */
export interface Sizes {
  warmup: number;
  /** Calls of each arm at 1 client (a route and its bare calls), taken in turn (bench/phases.ts `interleaved`). */
  samples: number;
  /** Each point of the 1, 10, 50 clients sweep (chart). */
  sweepMs: number;
  /** The 50-client throughput runs: how many (the goal is met in 2 of 3) and how long each. */
  throughputRuns: number;
  throughputMs: number;
  /** Approvals of the CPU phase, and the clients that make them. */
  cpuApprovals: number;
  searchSmall: number;
  searchLarge: number;
  /** Each search size in a fresh stack process (the smoke run seeds one stack to each size in turn, to stay short). */
  freshSearch: boolean;
  initRuns: number;
  /** The client counts of the sweep; the last one also runs the throughput phase. */
  clients: number[];
  /** How many functions' bundles to build (all of them but in the smoke run, whose figures are meaningless). */
  bundles?: number;
  mailStored: number;
  mailSamples: number;
  /** Calls of each arm in the npm start comparison (GET, create, decide beside their bare calls), per configuration. */
  npmStartSamples: number;
  /** Whether to run, beside npm start, fresh stack processes in the deployed configuration and with DynamoDB Local on disk (bench/fresh.ts). */
  variants: boolean;
}

export const FULL: Sizes = {
  warmup: 30,
  samples: 200,
  sweepMs: 1500,
  throughputRuns: 3,
  throughputMs: 7000,
  cpuApprovals: 60,
  searchSmall: 1000,
  searchLarge: 100_000,
  freshSearch: true,
  initRuns: 4,
  clients: [1, 10, 50],
  mailStored: 2000,
  mailSamples: 150,
  npmStartSamples: 120,
  variants: true,
};

export const SMOKE: Sizes = {
  warmup: 2,
  samples: 4,
  sweepMs: 100,
  throughputRuns: 3,
  throughputMs: 150,
  cpuApprovals: 2,
  searchSmall: 60,
  searchLarge: 120,
  freshSearch: false,
  // One run of each of its two bundles (and the confirmation of the slowest): the init measurement runs, its figure means nothing.
  initRuns: 1,
  // Fewer clients: at 50 the smoke run's own phases would wait on latency tails, not check anything.
  clients: [1, 2, 4],
  // test/unit/infra/bundles.spec.ts builds every bundle; the smoke run only checks the phase runs.
  bundles: 2,
  mailStored: 60,
  mailSamples: 10,
  npmStartSamples: 4,
  variants: false,
};

/** Smaller counts for before/after comparisons of one change (`BENCH_QUICK=1`, a few minutes); goals are reported but the sizes are not the issue's. */
export const QUICK: Sizes = {
  warmup: 10,
  samples: 60,
  sweepMs: 2000,
  throughputRuns: 3,
  throughputMs: 4000,
  cpuApprovals: 20,
  searchSmall: 1000,
  searchLarge: 5000,
  freshSearch: true,
  initRuns: 3,
  clients: [1, 10, 50],
  mailStored: 1000,
  mailSamples: 100,
  npmStartSamples: 40,
  variants: true,
};
