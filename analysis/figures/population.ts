import {
  type FigureContext,
  type FigureOptions,
  figureContext,
  header,
  legend,
  noData,
  svgDocument,
} from "../chart.ts";
import { strategiesWithData, type TimePanelSpec, timePanels } from "../timePanels.ts";
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
  const head = header(ctx, title);
  const strategies = strategiesWithData(ctx, PANELS);
  const leg = legend(ctx, strategies, "line", head.height);
  const top = head.height + leg.height + 4;
  if (strategies.length === 0) {
    return svgDocument(ctx, "population", title, top + 60, [
      head.svg,
      leg.svg,
      noData(ctx, top, "no time series rows"),
    ]);
  }
  const stack = timePanels(ctx, {
    panels: PANELS,
    yLabel: "peers (count)",
    panelHeight: 56,
    events: true,
    top,
  });
  return svgDocument(ctx, "population", title, stack.bottom, [head.svg, leg.svg, stack.svg]);
}
