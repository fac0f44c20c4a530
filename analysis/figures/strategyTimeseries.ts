import { type FigureContext, type FigureOptions, figureContext } from "../chart.ts";
import { type TimePanelSpec, timePanelFigure } from "../timePanels.ts";
import type { Results } from "../types.ts";

/** Labels (with units) of the strategy-specific time-series columns the simulator writes. */
const KNOWN: Record<string, { label: string; unit: string }> = {
  meanTreeDepth: { label: "mean tree depth (hops)", unit: "hops" },
  stripesHeldMean: { label: "mean stripes held per peer (count)", unit: "stripes" },
  stripesHeld: { label: "mean stripes held per peer (count)", unit: "stripes" },
  swarmSize: { label: "swarm size (peers)", unit: "peers" },
  meanPartners: { label: "mean partners per peer (peers)", unit: "peers" },
  meanBufferMapFill: { label: "mean buffer-map fill (share of window)", unit: "" },
};

/** Strategy-specific time-series columns that have at least one value in any run. */
export function reportedExtras(results: readonly Results[]): string[] {
  const names: string[] = [];
  for (const r of results) {
    for (const name of r.timeseriesExtras) {
      if (names.includes(name)) continue;
      if (results.some((q) => q.timeseries.some((row) => (row.extra[name] ?? null) !== null))) {
        names.push(name);
      }
    }
  }
  return names;
}

function labelFor(column: string): { label: string; unit: string } {
  if (KNOWN[column]) return KNOWN[column];
  const words = column.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  const unit = /seconds$/.test(column) ? "s" : /bitsPerSecond$/i.test(column) ? "bit/s" : "";
  return { label: unit ? words.replace(/ (seconds|bits per second)$/, ` (${unit})`) : words, unit };
}

/**
 * Strategy-specific time series (timeseries.csv columns after the standard ones, e.g. mean
 * tree depth, stripes held, swarm size): one panel per column, lines for the strategies that
 * report it.
 */
export function strategyTimeseries(results: Results[], options: FigureOptions = {}): string {
  const ctx: FigureContext = figureContext(results, options);
  const title = "Strategy metrics over time";
  const panels: TimePanelSpec[] = reportedExtras(ctx.results).map((column) => {
    const { label, unit } = labelFor(column);
    return { label, unit, value: (row) => row.extra[column] ?? null };
  });
  return timePanelFigure(ctx, {
    name: "strategy-timeseries",
    title,
    emptyMessage: "no strategy-specific time series",
    panels,
    panelHeight: panels.length === 1 ? 140 : 70,
    events: false,
  });
}
