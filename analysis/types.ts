import type { ReadableStrategySummary } from "../sim/results/schema.ts";

/**
 * The in-memory form of one results directory, read by `readResults.ts`; the files' contract is
 * sim/results/schema.ts (summary.json, manifest.json) and sim/run/columns.ts (the CSV files).
 * Everything the figures, the report and `sim compare` need comes from here.
 */

/** The parts of `manifest.json` the analysis uses (the file is optional). */
export interface Manifest {
  seed: number | null;
  version: string | null;
  gitCommit: string | null;
  scenarioName: string | null;
}

/** One row of `peers.csv`: one peer session under one strategy. */
export interface PeerRow {
  strategy: string;
  peer: string;
  class: string;
  uploadBitsPerSecond: number;
  joinSeconds: number;
  /** Null when the peer was still online at the end. */
  leaveSeconds: number | null;
  abrupt: boolean;
  /** Null when the peer never started playing (and so for the next two). */
  startupLatencySeconds: number | null;
  playingSeconds: number;
  stalledSeconds: number;
  stalls: number;
  chunksOnTime: number;
  chunksLate: number;
  chunksMissed: number;
  continuityIndex: number | null;
  meanLagSeconds: number | null;
  rejoins: number;
  uploadedBytes: number;
  downloadedBytes: number;
}

/** One row of `timeseries.csv`: one strategy at one sampling instant. */
export interface TimeRow {
  strategy: string;
  timeSeconds: number;
  population: number;
  starting: number;
  playing: number;
  stalled: number;
  meanLagSeconds: number | null;
  sourceUploadBitsPerSecond: number;
  /** Strategy-specific columns (e.g. meanTreeDepth); null where the strategy reports nothing. */
  extra: Record<string, number | null>;
}

/** One row of `gauges.csv`: a strategy-specific observation. */
export interface GaugeRow {
  strategy: string;
  name: string;
  timeSeconds: number;
  /** Peer id, or the slice index for `swarmSize`; null when empty. */
  peer: number | null;
  value: number;
}

/** One row of `events.csv`: a churn event to mark on time plots. */
export interface EventRow {
  strategy: string;
  timeSeconds: number;
  kind: string;
  detail: string;
}

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
