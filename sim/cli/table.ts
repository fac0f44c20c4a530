import type { StrategySummary } from "../metrics/summary.ts";

const fmt = (value: unknown, digits: number): string => {
  if (value === null || value === undefined) return "-";
  if (typeof value !== "number") return String(value);
  return value.toFixed(digits);
};

/** A plain-text table comparing the strategies of a run, one row per strategy. */
export function comparisonTable(summaries: Record<string, StrategySummary>): string {
  const header = [
    "strategy",
    "peers",
    "startup p50 s",
    "startup p95 s",
    "stalls/min",
    "stall ratio",
    "continuity",
    "lag p50 s",
    "source share",
    "overhead",
    "rejoins/peer-h",
  ];
  const rows = Object.entries(summaries).map(([name, s]) => [
    name,
    String(s.peers),
    fmt(s.startupLatencySeconds.p50, 2),
    fmt(s.startupLatencySeconds.p95, 2),
    fmt(s.stallsPerMinute, 3),
    fmt(s.stallRatio, 4),
    fmt(s.continuityIndex, 4),
    fmt(s.playbackLagSeconds.p50, 2),
    fmt(s.sourceUploadShare, 3),
    fmt(s.overheadRatio, 4),
    fmt(s.rejoinsPerPeerHour, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
