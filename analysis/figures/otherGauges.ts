import { type FigureOptions, FONT, figureContext, figureFrame, INK } from "../chart.ts";
import { el, fitText, tip, txt } from "../svg.ts";
import type { Results } from "../types.ts";
import { fmt } from "../units.ts";
import { gaugeHistogramPanel, gaugeSeries } from "./gaugeHistogram.ts";

/** Gauges with a figure of their own. */
export const DEDICATED_GAUGES = new Set(["treeDepth", "stripesHeld", "swarmSize"]);

/** Axis labels (with units) of gauges the simulator is known to report. */
const KNOWN: Record<string, { label: string; observations: string }> = {
  relayDeparture: {
    label: "children lost per relay departure (peers)",
    observations: "departures",
  },
  stripesLostPerDescendant: {
    label: "stripes lost per descendant (stripes)",
    observations: "observations",
  },
  meshPartners: {
    label: "mean partners per session (peers)",
    observations: "sessions",
  },
  bufferMapFill: {
    label: "mean buffer-map fill per session (share of window)",
    observations: "sessions",
  },
};

/** Gauges without a dedicated figure, in first-seen order. */
export function otherGaugeNames(results: readonly Results[]): string[] {
  const names: string[] = [];
  for (const r of results) {
    for (const g of r.gauges) {
      if (!DEDICATED_GAUGES.has(g.name) && !names.includes(g.name)) names.push(g.name);
    }
  }
  return names;
}

function labelFor(gauge: string): { label: string; observations: string } {
  if (KNOWN[gauge]) return KNOWN[gauge];
  const words = gauge.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return { label: `${words} (gauge value)`, observations: "observations" };
}

/**
 * Every other strategy-specific gauge of gauges.csv (e.g. children lost per relay departure),
 * one histogram panel each, so that no reported observation goes unplotted.
 */
export function otherGauges(results: Results[], options: FigureOptions = {}): string {
  const ctx = figureContext(results, options);
  const title = "Other strategy gauges";
  const names = otherGaugeNames(ctx.results);
  const panels = names.map((name) => ({ name, series: gaugeSeries(ctx, name) }));
  const strategies = ctx.strategies.filter((s) =>
    panels.some((p) => p.series.some((d) => d.s.strategy === s)),
  );
  const frame = figureFrame(ctx, "other-gauges", title, { strategies, swatch: "rect" }, 10);
  if (panels.length === 0) return frame.empty("no other gauges");
  const parts = frame.parts;
  let top = frame.top;
  for (const { name, series } of panels) {
    if (series.length === 0) continue;
    const { label, observations } = labelFor(name);
    const distinct = new Set(series.flatMap((d) => d.values));
    if (distinct.size === 1) {
      // One value throughout: a histogram would be a single bar at 100 %; a sentence says it.
      const count = series.map((d) => `${d.s.name} ${d.values.length}`).join(", ");
      const sentence = `${label}: always ${fmt([...distinct][0])} (${[...new Set(series.map((d) => d.s.strategy))].join(", ")})`;
      parts.push(
        el(
          "g",
          { class: "note single-value" },
          el(
            "text",
            { x: 6, y: top + 9, "font-size": FONT.note, fill: INK },
            txt(fitText(sentence, FONT.note, ctx.width - 12)),
          ),
          tip(`${name}: every observation is ${fmt([...distinct][0])} (${count})`),
        ),
      );
      top += 16;
      continue;
    }
    const panel = gaugeHistogramPanel(name, series, {
      width: frame.plotWidth,
      height: 110,
      xLabel: label,
      observations,
    });
    parts.push(frame.panel(top, panel.svg));
    top += panel.totalHeight + 14;
  }
  return frame.document(top);
}
