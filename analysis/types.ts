/**
 * The in-memory form of one results directory (see `readResults.ts` for the file contract).
 * Everything the figures, the report and `sim compare` need comes from here.
 */

/** A distribution summary as written in `summary.json`; all fields are null without samples. */
export interface Dist {
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** A summary value: a number, a missing number, or a distribution. */
export type MetricValue = number | null | Dist;

/** One strategy's entry in `summary.json`. */
export interface StrategySummary {
  /** Strategy type, e.g. "tree-relay", "client-server", "minute-swarming", "striped". */
  type: string;
  peers: number | null;
  startupLatencySeconds: Dist;
  stallsPerMinute: number | null;
  stallRatio: number | null;
  continuityIndex: number | null;
  playbackLagSeconds: Dist;
  sourceUploadShare: number | null;
  overheadRatio: number | null;
  rejoinsPerPeerHour: number | null;
  recoverySeconds: Dist;
  events: number | null;
  /** Every numeric or distribution value of the entry, in file order (the ones above included). */
  metrics: Record<string, MetricValue>;
  /**
   * For a run with replications (`sim run --replications R`): per metric (`stallRatio`,
   * `startupLatencySeconds.p95`, ...) the mean over the replications and the half-width of its
   * 95 % confidence interval; null for a single run.
   */
  confidence: Record<string, ReplicatedValue> | null;
}

/** A metric over replications, as summary.json's `confidence` gives it. */
export interface ReplicatedValue {
  mean: number | null;
  halfWidth95: number | null;
  n: number;
}

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
  summary: Record<string, StrategySummary>;
  manifest: Manifest | null;
  peers: PeerRow[];
  timeseries: TimeRow[];
  /** Names of the strategy-specific columns of `timeseries.csv`, in file order. */
  timeseriesExtras: string[];
  gauges: GaugeRow[];
  events: EventRow[];
}
