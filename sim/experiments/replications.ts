import { createStream } from "../engine/random.ts";
import { interval95 } from "../metrics/statistics.ts";
import { tidy } from "../metrics/summary.ts";
import type { Interval, PairedDifference, StrategySummary } from "../results/schema.ts";
import { flattenSummary, type MetricValues, metricNames } from "./metrics.ts";

/**
 * The root seed of replication `index` of a scenario with root seed `rootSeed`. Replication 0
 * is the scenario itself (so one replication is exactly `sim run`); the others hash the root
 * seed and the index into a fresh 32-bit seed, so adding replications never changes earlier ones.
 */
export function replicationSeed(rootSeed: number, index: number): number {
  if (index === 0) return rootSeed;
  return createStream(`${rootSeed}/replication/${index}`).int(2 ** 32);
}

const tidyOrNull = (v: number | null) => (v === null ? null : tidy(v));

function tidyInterval(i: Interval): Interval {
  return { mean: tidyOrNull(i.mean), halfWidth95: tidyOrNull(i.halfWidth95), n: i.n };
}

/** Whether a mean with this half-width is distinguishable from zero. */
function excludesZero(mean: number | null, halfWidth: number | null): boolean {
  return mean !== null && halfWidth !== null && Math.abs(mean) > halfWidth;
}

/**
 * Confidence intervals per metric over the replications of one strategy: `values[r]` holds
 * replication r's flattened summary.
 */
export function confidence(values: readonly MetricValues[]): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  for (const metric of metricNames(values)) {
    out[metric] = tidyInterval(interval95(values.map((v) => v[metric] ?? null)));
  }
  return out;
}

/**
 * Paired differences for every pair of strategies (in scenario order, a before b) and every
 * metric both have. `values[r][s]` is replication r's flattened summary of strategy s. Every
 * strategy of a replication ran on the same workload, so a - b removes the workload's share of
 * the variance and the interval is much tighter than the two unpaired intervals suggest.
 */
export function pairedDifferences(
  strategies: readonly string[],
  values: readonly (readonly MetricValues[])[],
): PairedDifference[] {
  const out: PairedDifference[] = [];
  for (let a = 0; a < strategies.length; a++) {
    for (let b = a + 1; b < strategies.length; b++) {
      const names = metricNames(values.map((r) => r[a])).filter((m) =>
        values.some((r) => m in r[b]),
      );
      for (const metric of names) {
        const diffs = values.map((r) => {
          const x = r[a][metric];
          const y = r[b][metric];
          return x === null || x === undefined || y === null || y === undefined ? null : x - y;
        });
        const i = tidyInterval(interval95(diffs));
        out.push({
          a: strategies[a],
          b: strategies[b],
          metric,
          ...i,
          significant: excludesZero(i.mean, i.halfWidth95),
        });
      }
    }
  }
  return out;
}

/** The summaries of every replication of a scenario: `summaries[r][s]`. */
export interface ReplicatedSummaries {
  strategies: string[];
  seeds: number[];
  summaries: StrategySummary[][];
}

/** What replications add to summary.json. */
export interface ReplicationStatistics {
  replications: number;
  /** Per strategy: metric -> interval. */
  confidence: Record<string, Record<string, Interval>>;
  pairedDifferences: PairedDifference[];
}

/** Confidence intervals and paired differences of a set of replications. */
export function replicationStatistics(set: ReplicatedSummaries): ReplicationStatistics {
  const flat = set.summaries.map((row) => row.map(flattenSummary));
  return {
    replications: set.summaries.length,
    confidence: Object.fromEntries(
      set.strategies.map((name, s) => [name, confidence(flat.map((row) => row[s]))]),
    ),
    pairedDifferences: pairedDifferences(set.strategies, flat),
  };
}
