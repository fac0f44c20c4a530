import type { StrategySummary } from "../results/schema.ts";

/**
 * A strategy summary flattened to metric name -> value: top-level numbers keep their name
 * (`stallRatio`), distributions give one metric per statistic (`startupLatencySeconds.p50`), and
 * a null statistic (nobody started, so no startup latency) stays null. Names are taken from the
 * summary itself, so a metric added to summary.json flows into confidence intervals, runs.csv
 * and points.csv without any change here. Strings (the strategy type) are not metrics.
 */
export type MetricValues = Record<string, number | null>;

/** Flattens one strategy summary (see {@link MetricValues}); keys in the summary's order. */
export function flattenSummary(summary: StrategySummary | Record<string, unknown>): MetricValues {
  const out: MetricValues = {};
  const visit = (prefix: string, value: unknown) => {
    if (typeof value === "number") out[prefix] = Number.isFinite(value) ? value : null;
    else if (value === null) out[prefix] = null;
    else if (typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>))
        visit(`${prefix}.${key}`, inner);
    }
  };
  for (const [key, value] of Object.entries(summary)) visit(key, value);
  return out;
}

/**
 * Every metric name that appears in any of `rows`, in first-seen order (the summary's order), so
 * columns are stable and strategy-specific metrics come after the common ones.
 */
export function metricNames(rows: Iterable<MetricValues>): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row)) names.add(name);
  return [...names];
}

/** A metric name as a CSV column: dots become underscores (`startupLatencySeconds_p50`). */
export function metricColumn(name: string): string {
  return name.replaceAll(".", "_");
}
