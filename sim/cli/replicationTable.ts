import type { ReplicationStatistics } from "../experiments/replications.ts";
import type { Interval } from "../results/schema.ts";

/** The metrics the printed tables show (others are in summary.json and summary.csv). */
export const TABLE_METRICS: readonly { metric: string; label: string; digits: number }[] = [
  { metric: "startupLatencySeconds.p50", label: "startup p50 s", digits: 2 },
  { metric: "startupLatencySeconds.p95", label: "startup p95 s", digits: 2 },
  { metric: "stallsPerMinute", label: "stalls/min", digits: 3 },
  { metric: "stallRatio", label: "stall ratio", digits: 4 },
  { metric: "continuityIndex", label: "continuity", digits: 4 },
  { metric: "neverStartedShare", label: "never started", digits: 4 },
  { metric: "playingShare", label: "playing", digits: 4 },
  { metric: "overheadRatio", label: "overhead", digits: 4 },
];

/** "1.23 ± 0.05", or "-" when undefined; a single value has no ± part. */
function meanPlusMinus(
  i: Interval | { mean: number | null; halfWidth95: number | null } | undefined,
  digits: number,
): string {
  if (!i || i.mean === null) return "-";
  if (i.halfWidth95 === null) return i.mean.toFixed(digits);
  return `${i.mean.toFixed(digits)} ± ${i.halfWidth95.toFixed(digits)}`;
}

function layout(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * Two plain-text tables for a replicated run: each strategy's metrics as mean ± 95% half-width,
 * and the paired differences between strategies, where `(n.s.)` marks a difference whose
 * interval contains zero (not significant at the 95% level).
 */
export function replicationTables(statistics: ReplicationStatistics): string {
  const present = TABLE_METRICS.filter((m) =>
    Object.values(statistics.confidence).some((c) => m.metric in c),
  );
  const strategyRows = Object.entries(statistics.confidence).map(([name, c]) => [
    name,
    ...present.map((m) => meanPlusMinus(c[m.metric], m.digits)),
  ]);
  const shown = new Set(present.map((m) => m.metric));
  const differenceRows = statistics.pairedDifferences
    .filter((d) => shown.has(d.metric))
    .map((d) => {
      const digits = present.find((m) => m.metric === d.metric)!.digits;
      return [
        `${d.a} - ${d.b}`,
        d.metric,
        meanPlusMinus(d, digits),
        d.significant || d.mean === null ? "" : "(n.s.)",
      ];
    });
  return [
    `${statistics.replications} replications; mean ± half-width of the 95% confidence interval`,
    "",
    layout(["strategy", ...present.map((m) => m.label)], strategyRows),
    "",
    "paired differences (same workload in each replication); (n.s.): not significant at 95%",
    "",
    layout(["pair", "metric", "difference", ""], differenceRows),
  ].join("\n");
}
