import type { FigureOptions } from "../chart.ts";
import type { Results } from "../types.ts";
import { cdfFigure } from "./cdf.ts";

/** Startup latency CDF over peer sessions, one line per strategy. */
export function startupCdf(results: Results[], options: FigureOptions = {}): string {
  return cdfFigure(
    {
      name: "startup-cdf",
      title: "Startup latency",
      xLabel: "startup latency (s)",
      unit: "s",
      value: (p) => p.startupLatencySeconds,
      missing: "never started",
    },
    results,
    options,
  );
}
