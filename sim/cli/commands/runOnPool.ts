import { MAX_REPLICATIONS } from "../../experiments/limits.ts";
import { createPool, defaultWorkers } from "../../experiments/pool.ts";
import { type ReplicatedSummaries, replicationStatistics } from "../../experiments/replications.ts";
import { runReplicated } from "../../experiments/runReplicated.ts";
import type { StrategySummary } from "../../results/schema.ts";
import type { ScenarioRun } from "../../run/runScenario.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { replicationTables } from "../replicationTable.ts";
import { comparisonTable } from "../table.ts";
import { TaskProgress } from "../taskProgress.ts";
import { UsageError } from "../usageError.ts";

/** The `sim run` options this module adds: replications, the pool and JSON output. */
export const RUN_POOL_OPTIONS = {
  replications: {
    type: "number",
    describe: "seeded replications (default: the scenario's replications, 1)",
  },
  workers: {
    type: "number",
    describe: "worker threads (default: the machine's cores; 0 runs in this thread)",
  },
  json: {
    type: "boolean",
    default: false,
    describe: "print summary.json on stdout instead of the table",
  },
} as const;

/** Checks a count option: an integer in [min, max], else a usage error naming it. */
export function countOption(name: string, value: number | undefined, min: number, max: number) {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not ${value}`);
  return value;
}

/** How many worker threads to use for `tasks` tasks: never more threads than tasks. */
export function workerCount(requested: number | undefined, tasks: number): number {
  const workers = countOption("workers", requested, 0, 256) ?? defaultWorkers();
  // One task gains nothing from a thread and would pay for loading the model in it.
  return Math.min(workers, tasks) <= 1 ? 0 : Math.min(workers, tasks);
}

/**
 * Runs a scenario's strategies and replications on the worker pool, with progress on a TTY.
 * Returns replication 0 in full (for the detailed files) and every replication's summaries.
 */
export async function runOnPool(
  scenario: Scenario,
  args: { replications?: number; workers?: number; quiet?: boolean; json?: boolean },
): Promise<{ result: ScenarioRun; replicated: ReplicatedSummaries }> {
  const replications =
    countOption("replications", args.replications, 1, MAX_REPLICATIONS) ?? scenario.replications;
  const pool = createPool(workerCount(args.workers, replications * scenario.strategies.length));
  const progress = new TaskProgress(!args.quiet && !args.json, scenario.name);
  try {
    const { run, replicated } = await runReplicated(scenario, pool, {
      replications,
      onTaskDone: (done, total) => progress.update(done, total),
    });
    return { result: run, replicated };
  } finally {
    progress.end();
    await pool.close();
  }
}

/** The printed tables: the plain comparison, or means ± half-widths with paired differences. */
export function runTables(
  summaries: Record<string, StrategySummary>,
  replicated: ReplicatedSummaries,
): string {
  if (replicated.summaries.length <= 1) return comparisonTable(summaries);
  return replicationTables(replicationStatistics(replicated));
}
