import { createHash } from "node:crypto";
import { mean, meanAndVariance, studentTQuantile } from "../metrics/statistics.ts";
import { tidy } from "../metrics/summary.ts";
import { type Baseline, baselineSchema, type StrategySummary } from "../results/schema.ts";
import { schemaProblem } from "../results/validate.ts";
import type { Scenario } from "../scenario/scenario.ts";
import { flattenSummary } from "./metrics.ts";
import type { ReplicatedSummaries } from "./replications.ts";

/**
 * The metrics the regression gate watches, all "lower is better": startup latency p50 and p95
 * over all sessions, stalls per minute, the stall ratio and the share of sessions that never
 * started playing.
 */
export const GATE_METRICS = [
  "startupLatencySeconds.p50",
  "startupLatencySeconds.p95",
  "stallsPerMinute",
  "stallRatio",
  "neverStartedShare",
] as const;

/**
 * One-sided confidence of the gate's Welch test: a metric regresses when its increase over the
 * baseline is larger than chance would give once in a hundred checks of an unchanged model
 * with new seeds.
 */
export const GATE_CONFIDENCE = 0.99;

/** Builds a baseline from the replications of a scenario. */
export function makeBaseline(scenario: Scenario, set: ReplicatedSummaries): Baseline {
  const strategies: Baseline["strategies"] = {};
  set.strategies.forEach((name, s) => {
    const flat = set.summaries.map((row) => flattenSummary(row[s]));
    const metrics: Record<string, (number | null)[]> = {};
    for (const metric of GATE_METRICS) {
      if (flat.some((f) => metric in f)) metrics[metric] = flat.map((f) => f[metric] ?? null);
    }
    strategies[name] = { type: (set.summaries[0][s] as StrategySummary).type, metrics };
  });
  return {
    format: "peercast-sim baseline 1",
    scenario: scenario.name,
    seed: scenario.seed,
    replications: set.summaries.length,
    settings: settingsDigest(scenario),
    strategies,
  };
}

/**
 * Checks that `value` is a baseline (sim/results/schema.ts); returns the first problem in words,
 * naming its field, or undefined when it is one.
 */
export function baselineProblem(value: unknown): string | undefined {
  return schemaProblem(baselineSchema, value);
}

/**
 * A digest (16 hex digits) of everything in a resolved scenario that shapes the workload and the
 * network, i.e. all but its name, seed, replications, limits and strategies (which a baseline
 * records apart): a baseline made at another duration or with another `--set` is not comparable.
 */
export function settingsDigest(scenario: Scenario): string {
  const { durationSeconds, stream, source, peers, churn, player, network, onDemand, cdn } =
    scenario;
  const settings = {
    durationSeconds,
    stream,
    source,
    peers,
    churn,
    player,
    network,
    onDemand,
    cdn,
  };
  return createHash("sha256").update(JSON.stringify(settings)).digest("hex").slice(0, 16);
}

/**
 * Why a scenario cannot be checked against a baseline, or undefined when it can. With
 * `settings` false the scenario's settings may differ (rewriting a baseline after a deliberate
 * change still shows what changed).
 */
export function mismatch(
  baseline: Baseline,
  scenario: Scenario,
  settings = true,
): string | undefined {
  if (baseline.scenario !== scenario.name)
    return `the baseline is of scenario '${baseline.scenario}', not '${scenario.name}'`;
  if (baseline.seed !== scenario.seed)
    return `the baseline was made with seed ${baseline.seed}, not ${scenario.seed}`;
  if (settings && baseline.settings !== undefined && baseline.settings !== settingsDigest(scenario))
    return (
      "the baseline was made with other settings (duration, stream, source, peers, churn, " +
      "player, network, on-demand or CDN) than the scenario has now"
    );
  const mine = scenario.strategies.map((s) => `${s.name} (${s.type})`);
  const theirs = Object.entries(baseline.strategies).map(([n, e]) => `${n} (${e.type})`);
  if (mine.join(", ") !== theirs.join(", "))
    return `the baseline's strategies are ${theirs.join(", ")}; the scenario has ${mine.join(", ")}`;
  return undefined;
}

/** One line of the gate's table. */
export interface GateRow {
  strategy: string;
  metric: string;
  /** Means over the replications (null: undefined in every replication). */
  baseline: number | null;
  now: number | null;
  /** now - baseline. */
  change: number | null;
  /**
   * The largest increase the Welch test accepts: t_{0.99, df} * sqrt(s_b^2 / n_b + s_n^2 / n_n),
   * with Welch-Satterthwaite degrees of freedom. Null when a side has fewer than two values.
   */
  limit: number | null;
  verdict: "identical" | "better" | "ok" | "REGRESSION" | "n/a";
}

const present = (values: readonly (number | null)[]) =>
  values.filter((v): v is number => v !== null && Number.isFinite(v));

/** Welch's one-sided limit on mean(now) - mean(base) at {@link GATE_CONFIDENCE}. */
export function welchLimit(base: readonly number[], now: readonly number[]): number | null {
  if (base.length < 2 || now.length < 2) return null;
  const vb = meanAndVariance(base).variance / base.length;
  const vn = meanAndVariance(now).variance / now.length;
  const se = Math.sqrt(vb + vn);
  // No spread on either side (a metric pinned at 0, say): any increase is a change in the model.
  if (se === 0) return 0;
  const df = (vb + vn) ** 2 / (vb ** 2 / (base.length - 1) + vn ** 2 / (now.length - 1));
  return studentTQuantile(GATE_CONFIDENCE, Math.max(1, df)) * se;
}

/** Compares a run's replications with the baseline, metric by metric. */
export function compareWithBaseline(baseline: Baseline, now: Baseline): GateRow[] {
  const rows: GateRow[] = [];
  for (const [strategy, entry] of Object.entries(baseline.strategies)) {
    for (const metric of GATE_METRICS) {
      const before = entry.metrics[metric];
      const after = now.strategies[strategy]?.metrics[metric];
      if (!before || !after) continue;
      const b = present(before);
      const n = present(after);
      const mb = mean(b);
      const mn = mean(n);
      const limit = welchLimit(b, n);
      const change = mb === null || mn === null ? null : mn - mb;
      let verdict: GateRow["verdict"];
      if (JSON.stringify(before) === JSON.stringify(after)) verdict = "identical";
      else if (change === null) verdict = "n/a";
      else if (limit !== null && change > limit) verdict = "REGRESSION";
      else if (limit !== null && -change > limit) verdict = "better";
      else verdict = "ok";
      const t = (v: number | null) => (v === null ? null : tidy(v));
      rows.push({
        strategy,
        metric,
        baseline: t(mb),
        now: t(mn),
        change: t(change),
        limit: t(limit),
        verdict,
      });
    }
  }
  return rows;
}

/** The gate's table as text: strategy, metric, baseline, now, change, limit, verdict. */
export function gateTable(rows: readonly GateRow[]): string {
  const f = (v: number | null) => (v === null ? "-" : Number(v.toPrecision(4)).toString());
  const signed = (v: number | null) => (v === null ? "-" : `${v > 0 ? "+" : ""}${f(v)}`);
  const header = ["strategy", "metric", "baseline", "now", "change", "limit", "verdict"];
  const cells = rows.map((r) => [
    r.strategy,
    r.metric,
    f(r.baseline),
    f(r.now),
    signed(r.change),
    r.limit === null ? "-" : `+${f(r.limit)}`,
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i < 2 || i === 6 ? x.padEnd(widths[i]) : x.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
