import { writeFigureSet } from "./output.ts";
import { readResults } from "./readResults.ts";

/**
 * `sim plot RESULTS_DIR` (and the end of `sim run`): reads the CSVs and JSON of a results
 * directory, writes `plots/*.svg` and `report.html` into it, and returns the written paths.
 * Nothing is simulated; the same files always give byte-identical output.
 */
export async function writePlots(resultsDir: string): Promise<string[]> {
  const results = await readResults(resultsDir);
  return writeFigureSet([results], resultsDir);
}
