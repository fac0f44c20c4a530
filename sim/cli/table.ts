import type { StrategySummary } from "../results/schema.ts";

const fmt = (value: unknown, digits: number): string => {
  if (value === null || value === undefined) return "-";
  if (typeof value !== "number") return String(value);
  return value.toFixed(digits);
};

/**
 * A startup or lag quantile over all sessions: null with sessions means the quantile falls
 * among sessions that never started ("never"); without sessions there is nothing ("-").
 */
const sessionQuantile = (value: number | null, sessions: number): string =>
  value === null && sessions > 0 ? "never" : fmt(value, 2);

/**
 * A plain-text table comparing the strategies of a run, one row per strategy. Startup and lag
 * quantiles are over all sessions (a session that never started never reaches any startup
 * time), with the share that never started beside them; `rejected` is the share of sessions a
 * server refused at least once ("-" for strategies without admission control).
 */
export function comparisonTable(summaries: Record<string, StrategySummary>): string {
  const header = [
    "strategy",
    "peers",
    "never started",
    "startup p50 s",
    "startup p95 s",
    "playing share",
    "stalls/min",
    "stall ratio",
    "continuity",
    "lag p50 s",
    "source share",
    "overhead",
    "rejoins/peer-h",
    "rejected",
  ];
  const rows = Object.entries(summaries).map(([name, s]) => [
    name,
    String(s.peers),
    fmt(s.neverStartedShare, 4),
    sessionQuantile(s.startupLatencySeconds.p50, s.peers),
    sessionQuantile(s.startupLatencySeconds.p95, s.peers),
    fmt(s.playingShare, 4),
    fmt(s.stallsPerMinute, 3),
    fmt(s.stallRatio, 4),
    fmt(s.continuityIndex, 4),
    sessionQuantile(s.playbackLagSeconds.p50, s.peers),
    fmt(s.sourceUploadShare, 3),
    fmt(s.overheadRatio, 4),
    fmt(s.rejoinsPerPeerHour, 2),
    fmt(s.rejectedShare, 4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
