import type { FigureOptions } from "../chart.ts";
import type { Results } from "../types.ts";
import { gaugeHistogram } from "./gaugeHistogram.ts";

/** Histogram of the number of stripes a peer holds (gauge `stripesHeld`). */
export function stripesHeld(results: Results[], options: FigureOptions = {}): string {
  return gaugeHistogram(
    {
      name: "stripes-held",
      gauge: "stripesHeld",
      title: "Stripes held per peer",
      xLabel: "stripes held (count)",
      observations: "observations",
    },
    results,
    options,
  );
}
