/**
 * The library entry point (`import { runScenario, loadScenario } from "peercast-sim"`): load a
 * scenario, run it (once, or replicated on a worker pool) and render or summarize the results
 * from a notebook or another tool. Everything here is deterministic for a given scenario and seed.
 */

export { flattenSummary, type MetricValues } from "./experiments/metrics.ts";
export { createPool, type TaskPool } from "./experiments/pool.ts";
export {
  type ReplicationStatistics,
  replicationSeed,
  replicationStatistics,
} from "./experiments/replications.ts";
export { addReplicationFiles } from "./experiments/resultFiles.ts";
export { type ReplicatedRun, runReplicated } from "./experiments/runReplicated.ts";
export { interval95 } from "./metrics/statistics.ts";
export {
  type Distribution,
  type Interval,
  type Manifest,
  manifestSchema,
  type PairedDifference,
  readableSummarySchema,
  type StrategySummary,
  type Summary,
  summarySchema,
} from "./results/schema.ts";
export { renderResults } from "./run/output.ts";
export { runScenario, type ScenarioRun } from "./run/runScenario.ts";
export { loadScenario, type Override, parseOverride, parseScenario } from "./scenario/load.ts";
export { ScenarioError } from "./scenario/reader.ts";
export type { Scenario } from "./scenario/scenario.ts";
