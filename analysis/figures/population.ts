import { type FigureContext, type FigureOptions, figureContext } from "../chart.ts";
import { type TimePanelSpec, timePanelFigure } from "../timePanels.ts";
import type { Results } from "../types.ts";

const PANELS: TimePanelSpec[] = [
  { label: "online", value: (r) => r.population, unit: "peers", integer: true },
  {
    label: "starting (buffering before first play)",
    value: (r) => r.starting,
    unit: "peers",
    integer: true,
  },
  { label: "playing", value: (r) => r.playing, unit: "peers", integer: true },
  { label: "stalled", value: (r) => r.stalled, unit: "peers", integer: true },
];

/**
 * Population and the starting/playing/stalled counts over time, one panel each, with churn
 * events from events.csv marked (flash crowds across the stack, relay departures as ticks).
 */
export function population(results: Results[], options: FigureOptions = {}): string {
  const ctx: FigureContext = figureContext(results, options);
  const title = "Peers over time";
  return timePanelFigure(ctx, {
    name: "population",
    title,
    emptyMessage: "no time series rows",
    gap: 4,
    panels: PANELS,
    yLabel: "peers (count)",
    panelHeight: 56,
    events: true,
  });
}
