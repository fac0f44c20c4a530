import { flattenSummary } from "../sim/experiments/metrics.ts";
import type { ReadableStrategySummary } from "../sim/results/schema.ts";
import type { Results } from "./types.ts";

/*
 * Flattens the per-strategy summaries into named scalar metrics for tables: numbers as they
 * are, distributions as `key.mean`, `key.p50`, `key.p95`, `key.p99`, `key.max`, the way runs.csv
 * and the replication intervals name them (sim/experiments/metrics.ts).
 */

/**
 * The flat metrics of one summary entry, in file order: its figures, without the strategy type,
 * the replication count and the intervals (which describe the figures).
 */
export function flattenMetrics(entry: ReadableStrategySummary): [string, number | null][] {
  const { replications: _count, confidence: _intervals, ...figures } = entry;
  return Object.entries(flattenSummary(figures));
}

/** Metric names over all runs for one strategy (or all strategies), in first-seen order. */
export function metricNames(results: readonly Results[], strategy?: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    for (const s of r.strategies) {
      if (strategy !== undefined && s !== strategy) continue;
      for (const [name] of flattenMetrics(r.summary[s])) {
        if (!seen.has(name)) {
          seen.add(name);
          names.push(name);
        }
      }
    }
  }
  return names;
}

/** The value of a flat metric, or null when missing. */
export function metricValue(r: Results, strategy: string, name: string): number | null {
  const summary = r.summary[strategy];
  if (!summary) return null;
  for (const [key, value] of flattenMetrics(summary)) if (key === name) return value;
  return null;
}

const LABELS: Record<string, string> = {
  peers: "peer sessions",
  neverStartedShare: "never started (share of sessions)",
  playingShare: "playing (share of online time)",
  startupLatencySeconds: "startup latency (s)",
  stallsPerMinute: "stalls per minute",
  stallRatio: "stall ratio (stalled / viewing time)",
  continuityIndex: "continuity index",
  playbackLagSeconds: "playback lag (s)",
  sourceUploadShare: "source upload share",
  overheadRatio: "overhead ratio",
  rejoinsPerPeerHour: "rejoins per peer-hour",
  recoverySeconds: "recovery time (s)",
  events: "simulation events",
};

/** A readable label with unit for a flat metric name, e.g. "startup latency p95 (s)". */
export function metricLabel(name: string): string {
  const dot = name.lastIndexOf(".");
  const base = dot < 0 ? name : name.slice(0, dot);
  const field = dot < 0 ? "" : name.slice(dot + 1);
  let label = LABELS[base];
  if (!label) {
    const words = base.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
    label = words.endsWith(" seconds") ? `${words.slice(0, -8)} (s)` : words;
  }
  if (!field) return label;
  const unit = label.match(/ \([^)]*\)$/);
  return unit ? `${label.slice(0, unit.index)} ${field}${unit[0]}` : `${label} ${field}`;
}
