import type { FigureOptions } from "../chart.ts";
import type { Results } from "../types.ts";
import { gaugeHistogram } from "./gaugeHistogram.ts";

/** Histogram of the depth at which peers attach to a tree (gauge `treeDepth`). */
export function treeDepth(results: Results[], options: FigureOptions = {}): string {
  return gaugeHistogram(
    {
      name: "tree-depth",
      gauge: "treeDepth",
      title: "Tree depth at attachment",
      xLabel: "depth (hops from source)",
      observations: "attachments",
    },
    results,
    options,
  );
}
