import { type FigureContext, type FigureOptions, figureContext } from "../chart.ts";
import { type TimePanelSpec, timePanelFigure } from "../timePanels.ts";
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
  return timePanelFigure(ctx, {
    name: "source-load",
    title,
    emptyMessage: "no time series rows",
    panels: [spec],
    yLabel: `source upload (${unit.label})`,
    panelHeight: 150,
    events: false,
  });
}
