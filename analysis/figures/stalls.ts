import { interval95 } from "../../sim/experiments/statistics.ts";
import { mean } from "../../sim/metrics/stats.ts";
import { type Bar, barPanel } from "../bars.ts";
import {
  type FigureContext,
  type FigureOptions,
  FONT,
  figureContext,
  header,
  legend,
  MARGIN,
  MUTED,
  noData,
  panelGroup,
  type RunEntry,
  svgDocument,
} from "../chart.ts";
import { replicateGroups } from "../replicates.ts";
import { el, txt } from "../svg.ts";
import type { Results, StrategySummary } from "../types.ts";
import { fmt } from "../units.ts";

interface Measure {
  yLabel: string;
  /** Value as plotted (already scaled to the axis unit). */
  value: (s: StrategySummary) => number | null;
  describe: (v: number) => string;
}

const MEASURES: Measure[] = [
  {
    yLabel: "stalls (per min)",
    value: (s) => s.stallsPerMinute,
    describe: (v) => `${fmt(v)} stalls per minute of viewing`,
  },
  {
    yLabel: "stalled time (%)",
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
  const ctx: FigureContext = figureContext(results, options);
  const title = "Stalls per strategy";
  const groups = replicateGroups(ctx.results);
  const replicated = groups.some((g) => g.replicated);
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
  const head = header(ctx, title);
  const leg = legend(ctx, strategies, "rect", head.height, runLegend);
  let top = head.height + leg.height + 4;
  const parts = [head.svg, leg.svg];
  if (replicated) {
    parts.push(
      el(
        "text",
        { class: "note", x: 6, y: top + 8, "font-size": FONT.note, fill: MUTED },
        txt("bars: mean over seeds; whiskers: 95 % CI of the mean; dots: seeds"),
      ),
    );
    top += 14;
  }
  if (strategies.length === 0) {
    return svgDocument(ctx, "stalls", title, top + 60, [
      ...parts,
      noData(ctx, top, "no stall data"),
    ]);
  }
  top += 6;
  const width = ctx.width - MARGIN.left - MARGIN.right;
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
          category: strategy,
          slot,
          value: m,
          low: half === null ? undefined : m - half,
          high: half === null ? undefined : m + half,
          color,
          style: slot,
          attrs: { class: "mark bar", "data-strategy": strategy },
          tip: [
            name,
            `mean ${measure.describe(m)}`,
            half === null ? "" : `95 % CI ± ${fmt(half)}`,
            ...values.map((v) => `seed ${ctx.results[v.run].seed}: ${fmt(v.value)}`),
          ]
            .filter((line) => line !== "")
            .join("\n"),
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
    parts.push(panelGroup(MARGIN.left, top, panel.svg));
    top += panel.totalHeight + 12;
  });
  return svgDocument(ctx, "stalls", title, top, parts);
}
