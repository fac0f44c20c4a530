import type { FigureOptions } from "../chart.ts";
import type { Results } from "../types.ts";
import { cdfFigure } from "./cdf.ts";

/** CDF of each session's mean playback lag behind the live edge, one line per strategy. */
export function lagCdf(results: Results[], options: FigureOptions = {}): string {
  return cdfFigure(
    {
      name: "lag-cdf",
      title: "Playback lag",
      xLabel: "mean playback lag behind live edge (s)",
      unit: "s",
      value: (p) => p.meanLagSeconds,
      missing: "never played",
    },
    results,
    options,
  );
}
