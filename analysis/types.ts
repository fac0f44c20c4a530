import type { EventRow, GaugeCells, PeerRow, TimeseriesCells } from "../sim/results/csvFiles.ts";
import type { ReadableStrategySummary } from "../sim/results/schema.ts";

/**
 * The in-memory form of one results directory, read by `readResults.ts`; the files' contract is
 * sim/results/schema.ts (summary.json, manifest.json) and sim/results/csvFiles.ts (the CSV
 * files, whose rows are kept as they are defined there).
 * Everything the figures, the report and `sim compare` need comes from here.
 */

/** The parts of `manifest.json` the analysis uses (the file is optional). */
export interface Manifest {
  seed: number | null;
  version: string | null;
  gitCommit: string | null;
  scenarioName: string | null;
}

/** One row of `timeseries.csv`: one strategy at one sampling instant. */
export type TimeRow = TimeseriesCells & {
  /** Strategy-specific columns (e.g. meanTreeDepth); null where the strategy reports nothing. */
  extra: Record<string, number | null>;
};

/** One row of `gauges.csv`: a strategy-specific observation. */
export type GaugeRow = GaugeCells;

export type { EventRow, PeerRow };

/** One run's results directory, parsed and validated. */
export interface Results {
  /** The directory it was read from, as given. */
  dir: string;
  /** Short unique name of the run in a report: `scenario@seed` unless that collides. */
  label: string;
  scenario: string;
  seed: number;
  durationSeconds: number;
  /** Strategy names in the scenario's order (the key order of `summary.json`). */
  strategies: string[];
  /** Strategy name -> its entry of `summary.json`, as the file has it. */
  summary: Record<string, ReadableStrategySummary>;
  manifest: Manifest | null;
  peers: PeerRow[];
  timeseries: TimeRow[];
  /** Names of the strategy-specific columns of `timeseries.csv`, in file order. */
  timeseriesExtras: string[];
  gauges: GaugeRow[];
  events: EventRow[];
}
