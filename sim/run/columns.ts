/**
 * The columns of the CSV result files: the contract between `sim run`, which writes them, and
 * `analysis/`, which reads them. Strategy-specific time-series columns follow the fixed ones.
 */

/** peers.csv: one row per peer session per strategy. */
export const PEER_COLUMNS = [
  "strategy",
  "peer",
  "class",
  "uploadBitsPerSecond",
  "joinSeconds",
  "leaveSeconds",
  "abrupt",
  "startupLatencySeconds",
  "playingSeconds",
  "stalledSeconds",
  "stalls",
  "chunksOnTime",
  "chunksLate",
  "chunksMissed",
  "continuityIndex",
  "meanLagSeconds",
  "rejoins",
  "uploadedBytes",
  "downloadedBytes",
] as const;

/** timeseries.csv: the fixed columns, one row per strategy per sampling interval. */
export const TIMESERIES_COLUMNS = [
  "strategy",
  "timeSeconds",
  "population",
  "starting",
  "playing",
  "stalled",
  "meanLagSeconds",
  "sourceUploadBitsPerSecond",
] as const;

/** gauges.csv: strategy-specific observations. */
export const GAUGE_COLUMNS = ["strategy", "name", "timeSeconds", "peer", "value"] as const;

/** events.csv: notable churn events to mark on time plots. */
export const EVENT_COLUMNS = ["strategy", "timeSeconds", "kind", "detail"] as const;
