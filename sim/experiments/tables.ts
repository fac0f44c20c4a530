import { stringify } from "csv-stringify/sync";
import { interval95 } from "../metrics/statistics.ts";
import { tidy } from "../metrics/summary.ts";
import type { Interval } from "../results/schema.ts";
import { type MetricValues, metricColumn, metricNames } from "./metrics.ts";

/** One row of runs.csv: one strategy of one replication of one grid point. */
export interface RunRow {
  /** Swept field (YAML path) -> value as written in the sweep file. */
  point: Record<string, string>;
  replication: number;
  seed: number;
  strategy: string;
  metrics: MetricValues;
}

const cell = (v: number | null | undefined) => (v === null || v === undefined ? "" : tidy(v));

/**
 * runs.csv, tidy: one row per grid point x replication x strategy; a column per swept field (its
 * YAML path), then `replication`, `seed`, `strategy`, then every metric of the summaries (unit in
 * the name, dots as underscores: `startupLatencySeconds_p50`). Empty cells are undefined values.
 */
export function runsCsv(fields: readonly string[], rows: readonly RunRow[]): string {
  const metrics = metricNames(rows.map((r) => r.metrics));
  return stringify(
    rows.map((r) => [
      ...fields.map((f) => r.point[f] ?? ""),
      r.replication,
      r.seed,
      r.strategy,
      ...metrics.map((m) => cell(r.metrics[m])),
    ]),
    {
      header: true,
      columns: [...fields, "replication", "seed", "strategy", ...metrics.map(metricColumn)],
    },
  );
}

/** The rows of one grid point and strategy, grouped in first-seen order. */
function groups(fields: readonly string[], rows: readonly RunRow[]): RunRow[][] {
  const byKey = new Map<string, RunRow[]>();
  for (const row of rows) {
    const key = JSON.stringify([...fields.map((f) => row.point[f]), row.strategy]);
    const group = byKey.get(key);
    if (group) group.push(row);
    else byKey.set(key, [row]);
  }
  return [...byKey.values()];
}

/** The replications of one grid point and strategy, summarized per metric. */
export interface PointStatistics {
  point: Record<string, string>;
  strategy: string;
  replications: number;
  /** Metric -> interval over the replications. */
  intervals: Record<string, Interval>;
}

/** Means and 95% half-widths per grid point and strategy, in first-seen order of `rows`. */
export function pointStatistics(
  fields: readonly string[],
  rows: readonly RunRow[],
): PointStatistics[] {
  const metrics = metricNames(rows.map((r) => r.metrics));
  return groups(fields, rows).map((group) => ({
    point: group[0].point,
    strategy: group[0].strategy,
    replications: group.length,
    intervals: Object.fromEntries(
      metrics.map((m) => [m, interval95(group.map((r) => r.metrics[m] ?? null))]),
    ),
  }));
}

/**
 * points.csv: one row per grid point and strategy, with `replications` and, per metric,
 * `<metric>_mean` and `<metric>_halfWidth95` (95% Student t over the replications).
 */
export function pointsCsv(fields: readonly string[], rows: readonly RunRow[]): string {
  const metrics = metricNames(rows.map((r) => r.metrics));
  const out = pointStatistics(fields, rows).map((p) => [
    ...fields.map((f) => p.point[f] ?? ""),
    p.strategy,
    p.replications,
    ...metrics.flatMap((m) => [cell(p.intervals[m].mean), cell(p.intervals[m].halfWidth95)]),
  ]);
  return stringify(out, {
    header: true,
    columns: [
      ...fields,
      "strategy",
      "replications",
      ...metrics.flatMap((m) => [`${metricColumn(m)}_mean`, `${metricColumn(m)}_halfWidth95`]),
    ],
  });
}

/**
 * summary.csv: summary.json in long format, `strategy,metric,statistic,value`. A single run has
 * statistic `value`; replicated runs have `mean`, `halfWidth95` and `n` per metric.
 */
export function summaryCsv(
  perStrategy: Record<string, MetricValues>,
  confidence?: Record<string, Record<string, Interval>>,
): string {
  const rows: unknown[][] = [];
  for (const [strategy, values] of Object.entries(perStrategy)) {
    const intervals = confidence?.[strategy];
    if (!intervals) {
      for (const [metric, value] of Object.entries(values))
        rows.push([strategy, metric, "value", cell(value)]);
      continue;
    }
    for (const [metric, i] of Object.entries(intervals)) {
      rows.push([strategy, metric, "mean", cell(i.mean)]);
      rows.push([strategy, metric, "halfWidth95", cell(i.halfWidth95)]);
      rows.push([strategy, metric, "n", i.n]);
    }
  }
  return stringify(rows, { header: true, columns: ["strategy", "metric", "statistic", "value"] });
}
