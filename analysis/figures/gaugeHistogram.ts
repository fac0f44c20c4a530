import { bin, extent } from "d3";
import { type Bar, barPanel } from "../bars.ts";
import {
  allSeries,
  type FigureContext,
  type FigureOptions,
  figureContext,
  figureFrame,
  type Series,
  seriesAttrs,
} from "../chart.ts";
import type { Results } from "../types.ts";
import { fmt } from "../units.ts";

/** A histogram of one gauge of gauges.csv. */
export interface GaugeHistogramSpec {
  /** Figure name (file name without .svg). */
  name: string;
  /** Gauge name in gauges.csv. */
  gauge: string;
  title: string;
  /** X axis label with unit. */
  xLabel: string;
  /** Observation wording for the y axis and tooltips, e.g. "attachments". */
  observations: string;
}

/** Whether any run has observations of the gauge. */
export function hasGauge(results: readonly Results[], gauge: string): boolean {
  return results.some((r) => r.gauges.some((g) => g.name === gauge));
}

/** Each series' observations of a gauge (series without any are left out). */
export function gaugeSeries(ctx: FigureContext, gauge: string): { s: Series; values: number[] }[] {
  return allSeries(ctx)
    .map((s) => ({
      s,
      values: s.run.gauges
        .filter((g) => g.strategy === s.strategy && g.name === gauge)
        .map((g) => g.value),
    }))
    .filter((d) => d.values.length > 0);
}

/**
 * A histogram panel: share of a gauge's observations per value, one bar per series. Small
 * integer values (depths, counts) get a bar each; anything else goes into 10 bins.
 */
export function gaugeHistogramPanel(
  gauge: string,
  series: { s: Series; values: number[] }[],
  options: { width: number; height: number; xLabel: string; observations: string },
): { svg: string; totalHeight: number } {
  const all = series.flatMap((d) => d.values);
  const [lo, hi] = extent(all) as [number, number];
  const integers = all.every(Number.isInteger) && hi - lo <= 40;
  let categories: string[];
  let categoryOf: (v: number) => string;
  if (integers) {
    categories = [];
    for (let v = lo; v <= hi; v++) categories.push(String(v));
    categoryOf = (v) => String(v);
  } else {
    const bins = bin().domain([lo, hi]).thresholds(10)(all);
    const edges = bins.map((b) => b.x0!);
    categories = bins.map((b) => `${fmt(b.x0!)}–${fmt(b.x1!)}`);
    categoryOf = (v) => {
      let i = 0;
      while (i + 1 < edges.length && v >= edges[i + 1]) i++;
      return categories[i];
    };
  }
  const bars: Bar[] = [];
  series.forEach(({ s, values }, slot) => {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(categoryOf(v), (counts.get(categoryOf(v)) ?? 0) + 1);
    for (const category of categories) {
      const count = counts.get(category) ?? 0;
      const share = (count / values.length) * 100;
      bars.push({
        category,
        slot,
        value: share,
        color: s.color,
        style: s.runIndex,
        attrs: seriesAttrs(s, "mark bar"),
        tip: `${s.name}\n${gauge} ${category}: ${count} of ${values.length} ${options.observations} (${fmt(share)} %)`,
      });
    }
  });
  return barPanel({
    categories,
    slots: series.length,
    bars,
    width: options.width,
    height: options.height,
    yLabel: `share of ${options.observations} (%)`,
    xLabel: options.xLabel,
    format: (v) => fmt(v),
  });
}

/** A figure with the histogram of one gauge. */
export function gaugeHistogram(
  spec: GaugeHistogramSpec,
  results: Results[],
  options: FigureOptions,
): string {
  const ctx = figureContext(results, options);
  const series = gaugeSeries(ctx, spec.gauge);
  const strategies = [...new Set(series.map((d) => d.s.strategy))];
  const frame = figureFrame(ctx, spec.name, spec.title, { strategies, swatch: "rect" }, 10);
  if (series.length === 0) return frame.empty(`no ${spec.gauge} observations`);
  const panel = gaugeHistogramPanel(spec.gauge, series, {
    width: frame.plotWidth,
    height: 140,
    xLabel: spec.xLabel,
    observations: spec.observations,
  });
  return frame.document(frame.top + panel.totalHeight + 8, [frame.panel(frame.top, panel.svg)]);
}
