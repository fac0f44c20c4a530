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
import { bitRateUnit } from "../units.ts";

/** The source's upload rate over time, one line per strategy (per run). */
export function sourceLoad(results: Results[], options: FigureOptions = {}): string {
  const ctx: FigureContext = figureContext(results, options);
  const title = "Source load over time";
  const maxRate = Math.max(
    0,
    ...ctx.results.flatMap((r) => r.timeseries.map((row) => row.sourceUploadBitsPerSecond)),
  );
  const unit = bitRateUnit(maxRate);
  const spec: TimePanelSpec = {
    label: "source upload",
    value: (row) => row.sourceUploadBitsPerSecond,
    unit: unit.label,
    divisor: unit.divisor,
  };
  const head = header(ctx, title);
  const strategies = strategiesWithData(ctx, [spec]);
  const leg = legend(ctx, strategies, "line", head.height);
  const top = head.height + leg.height + 6;
  if (strategies.length === 0) {
    return svgDocument(ctx, "source-load", title, top + 60, [
      head.svg,
      leg.svg,
      noData(ctx, top, "no time series rows"),
    ]);
  }
  const stack = timePanels(ctx, {
    panels: [spec],
    yLabel: `source upload (${unit.label})`,
    panelHeight: 150,
    events: false,
    top,
  });
  return svgDocument(ctx, "source-load", title, stack.bottom, [head.svg, leg.svg, stack.svg]);
}
