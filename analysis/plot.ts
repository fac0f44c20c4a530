import { type PlotOptions, writeFigureSet } from "./output.ts";
import { readResults } from "./readResults.ts";

export type { PlotOptions } from "./output.ts";

/**
 * `sim plot RESULTS_DIR` (and the end of `sim run`): reads the CSVs and JSON of a results
 * directory, writes `plots/*.<format>` and `report.html` into it, and returns the written
 * paths. Nothing is simulated; the same files always give byte-identical output.
 */
export async function writePlots(resultsDir: string, options: PlotOptions = {}): Promise<string[]> {
  const results = await readResults(resultsDir);
  return writeFigureSet([results], resultsDir, undefined, options);
}
