import { interval95, mean } from "../../sim/metrics/statistics.ts";
import type { ReadableStrategySummary } from "../../sim/results/schema.ts";
import { type Bar, barPanel } from "../bars.ts";
import {
  type FigureOptions,
  FONT,
  figureContext,
  figureFrame,
  MUTED,
  type RunEntry,
} from "../chart.ts";
import { replicateGroups } from "../replicates.ts";
import { el, txt } from "../svg.ts";
import type { Results } from "../types.ts";
import { fmt } from "../units.ts";

interface Measure {
  yLabel: string;
  /** The summary metric, and the factor from its unit to the axis unit. */
  key: string;
  scale: number;
  /** Value as plotted (already scaled to the axis unit). */
  value: (s: ReadableStrategySummary) => number | null;
  describe: (v: number) => string;
}

const MEASURES: Measure[] = [
  {
    yLabel: "stalls (per min)",
    key: "stallsPerMinute",
    scale: 1,
    value: (s) => s.stallsPerMinute,
    describe: (v) => `${fmt(v)} stalls per minute of viewing`,
  },
  {
    yLabel: "stalled time (%)",
    key: "stallRatio",
    scale: 100,
    value: (s) => (s.stallRatio === null ? null : s.stallRatio * 100),
    describe: (v) => `${fmt(v)} % of viewing time stalled`,
  },
];

/**
 * Stalls per minute and stall ratio per strategy, from the summaries: one bar per strategy per
 * run, or, for replicated runs (same scenario and code, different seeds), the mean with a 95 %
 * confidence interval and a dot per seed.
 */
export function stalls(results: Results[], options: FigureOptions = {}): string {
  const ctx = figureContext(results, options);
  const title = "Stalls per strategy";
  const groups = replicateGroups(ctx.results);
  const replicated = groups.some((g) => g.replicated);
  // A run made with --replications carries its own intervals in summary.json.
  const withConfidence = ctx.results.some((r) =>
    Object.values(r.summary).some((s) => MEASURES.some((m) => s.confidence?.[m.key])),
  );
  const runLegend: RunEntry[] =
    groups.length > 1 || replicated
      ? groups.map((g, i) => ({
          label: g.label,
          style: i,
          runIndex: g.replicated ? null : g.runs[0],
        }))
      : [];
  const strategies = ctx.strategies.filter((s) =>
    ctx.results.some((r) => MEASURES.some((m) => r.summary[s] && m.value(r.summary[s]) !== null)),
  );
  const frame = figureFrame(
    ctx,
    "stalls",
    title,
    { strategies, swatch: "rect", runs: runLegend },
    4,
  );
  const parts = frame.parts;
  let top = frame.top;
  const note = replicated
    ? "bars: mean over seeds; whiskers: 95 % CI of the mean; dots: seeds"
    : withConfidence
      ? "bars: mean over the run's replications; whiskers: 95 % CI of the mean"
      : null;
  if (note) {
    parts.push(
      el(
        "text",
        { class: "note", x: 6, y: top + 8, "font-size": FONT.note, fill: MUTED },
        txt(note),
      ),
    );
    top += 14;
  }
  if (strategies.length === 0) return frame.empty("no stall data", top);
  top += 6;
  const width = frame.plotWidth;
  const panels: Bar[][] = [];
  for (const measure of MEASURES) {
    const bars: Bar[] = [];
    for (const strategy of strategies) {
      groups.forEach((group, slot) => {
        const values: { run: number; value: number }[] = [];
        for (const i of group.runs) {
          const s = ctx.results[i].summary[strategy];
          const v = s ? measure.value(s) : null;
          if (v !== null) values.push({ run: i, value: v });
        }
        if (values.length === 0) return;
        const color = ctx.colors.get(strategy)!;
        const name = ctx.multiRun ? `${strategy}, ${group.label}` : strategy;
        // A mean with its 95 % interval: over replicated runs, or over one run's replications.
        const withInterval = (
          m: number,
          half: number | null,
          first: string,
          rest: string[] = [],
        ): Bar => ({
          category: strategy,
          slot,
          value: m,
          low: half === null ? undefined : m - half,
          high: half === null ? undefined : m + half,
          color,
          style: slot,
          attrs: { class: "mark bar", "data-strategy": strategy },
          tip: [name, first, half === null ? "" : `95 % CI ± ${fmt(half)}`, ...rest]
            .filter((line) => line !== "")
            .join("\n"),
        });
        const own = group.replicated
          ? undefined
          : ctx.results[group.runs[0]].summary[strategy]?.confidence?.[measure.key];
        if (own && own.mean !== null) {
          const m = own.mean * measure.scale;
          const half = own.halfWidth95 === null ? null : own.halfWidth95 * measure.scale;
          const bar = withInterval(
            m,
            half,
            `mean ${measure.describe(m)} over ${own.n} replications`,
          );
          bar.attrs = { ...bar.attrs, "data-run": String(group.runs[0]) };
          bars.push(bar);
          return;
        }
        if (!group.replicated) {
          bars.push({
            category: strategy,
            slot,
            value: values[0].value,
            color,
            style: slot,
            attrs: {
              class: "mark bar",
              "data-strategy": strategy,
              "data-run": String(group.runs[0]),
            },
            tip: `${name}\n${measure.describe(values[0].value)}`,
          });
          return;
        }
        const m = mean(values.map((v) => v.value))!;
        const half = interval95(values.map((v) => v.value)).halfWidth95;
        bars.push({
          ...withInterval(
            m,
            half,
            `mean ${measure.describe(m)}`,
            values.map((v) => `seed ${ctx.results[v.run].seed}: ${fmt(v.value)}`),
          ),
          dots: values.map((v) => ({
            value: v.value,
            attrs: { class: "replicate", "data-strategy": strategy, "data-run": String(v.run) },
            tip: `${strategy}, ${ctx.results[v.run].label}\n${measure.describe(v.value)}`,
          })),
        });
      });
    }
    panels.push(bars);
  }
  // Panels without a single value are left out; the strategy names are written once, under
  // the last panel (the panels share them).
  const shown = MEASURES.map((measure, i) => ({ measure, bars: panels[i] })).filter(
    (p) => p.bars.length > 0,
  );
  shown.forEach(({ measure, bars }, index) => {
    const panel = barPanel({
      categories: strategies,
      slots: groups.length,
      bars,
      width,
      height: 95,
      yLabel: measure.yLabel,
      format: (v) => fmt(v),
      hideCategoryLabels: index < shown.length - 1,
    });
    parts.push(frame.panel(top, panel.svg));
    top += panel.totalHeight + 12;
  });
  return frame.document(top);
}
