import { type Summary, summarySchema } from "../results/schema.ts";
import { checkBeforeWriting } from "../results/validate.ts";
import { flattenSummary } from "./metrics.ts";
import { type ReplicatedSummaries, replicationStatistics } from "./replications.ts";
import { type RunRow, runsCsv, summaryCsv } from "./tables.ts";

/** The rows of runs.csv for the replications of one scenario (no swept fields). */
export function replicationRows(
  set: ReplicatedSummaries,
  point: Record<string, string> = {},
): RunRow[] {
  return set.summaries.flatMap((row, r) =>
    row.map((summary, s) => ({
      point,
      replication: r,
      seed: set.seeds[r],
      strategy: set.strategies[s],
      metrics: flattenSummary(summary),
    })),
  );
}

/**
 * Adds what replications contribute to a run's result files: with more than one replication,
 * `replications` and `confidence` in each strategy's entry of summary.json, top-level
 * `pairedDifferences`, and runs.csv (one row per replication and strategy); always summary.csv
 * (summary.json in long format). Works on the rendered summary.json, so figures added to the
 * summary elsewhere flow through unchanged.
 */
export function addReplicationFiles(files: Map<string, string>, set: ReplicatedSummaries): void {
  const summary = JSON.parse(files.get("summary.json") ?? "{}") as Summary;
  const flat = Object.fromEntries(
    Object.entries(summary.strategies).map(([name, s]) => [name, flattenSummary(s)]),
  );
  if (set.summaries.length <= 1) {
    files.set("summary.csv", summaryCsv(flat));
    return;
  }
  const statistics = replicationStatistics(set);
  for (const [name, entry] of Object.entries(summary.strategies)) {
    entry.replications = statistics.replications;
    entry.confidence = statistics.confidence[name];
  }
  summary.replications = statistics.replications;
  summary.seeds = set.seeds;
  summary.pairedDifferences = statistics.pairedDifferences;
  checkBeforeWriting(summarySchema, "summary.json", summary);
  files.set("summary.json", `${JSON.stringify(summary, null, 2)}\n`);
  files.set("summary.csv", summaryCsv(flat, statistics.confidence));
  files.set("runs.csv", runsCsv([], replicationRows(set)));
}
