// The package's JavaScript entry: registers tsx (as bin/sim.js does) so the TypeScript sources
// run without a build step, then re-exports the library of sim/index.ts, whose types
// TypeScript reads directly (package.json "exports" > "types").
import { register } from "tsx/esm/api";

register();
const library = await import("./index.ts");

export const {
  addReplicationFiles,
  createPool,
  flattenSummary,
  interval95,
  loadScenario,
  manifestSchema,
  parseOverride,
  parseScenario,
  readableSummarySchema,
  renderResults,
  replicationSeed,
  replicationStatistics,
  runReplicated,
  runScenario,
  ScenarioError,
  summarySchema,
} = library;
