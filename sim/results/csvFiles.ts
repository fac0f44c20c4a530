import { z } from "zod";

/*
 * The CSV result files' one definition: a row schema per file, whose keys are the columns in
 * file order. `sim run` (sim/run/output.ts) builds each row as the inferred type and writes the
 * cells in this order; the analysis (analysis/readResults.ts) reads each cell by the kind its
 * schema gives ({@link columnKinds}). An empty cell is null. Times in seconds.
 */

/** A cell that names something: never empty. */
const name = z.string().min(1);
/** A cell of free text, possibly empty. */
const text = z.string();
/** A number; written with 9 significant digits where it is not an integer. */
const number = z.number();
/** A number, or an empty cell (null). */
const optionalNumber = z.number().nullable();
/** A flag, written 1 or 0 (readers also take true/false, and an empty cell as false). */
const flag = z.boolean();

/** peers.csv: one row per peer session per strategy. */
export const peerRowSchema = z.strictObject({
  strategy: name,
  /** The peer's node id. */
  peer: name,
  /** Its upload class (peers.classes[].name). */
  class: name,
  uploadBitsPerSecond: number,
  joinSeconds: number,
  /** Null when the peer was still online at the end. */
  leaveSeconds: optionalNumber,
  /** Whether the session ended without a goodbye. */
  abrupt: flag,
  /** Null when the peer never started playing (and so for meanLagSeconds). */
  startupLatencySeconds: optionalNumber,
  playingSeconds: number,
  stalledSeconds: number,
  stalls: number,
  chunksOnTime: number,
  chunksLate: number,
  /** A session that never started has the chunks it was owed here, as in the summary. */
  chunksMissed: number,
  /** Null only when no chunk was due. */
  continuityIndex: optionalNumber,
  meanLagSeconds: optionalNumber,
  rejoins: number,
  uploadedBytes: number,
  downloadedBytes: number,
});

/** One row of peers.csv. */
export type PeerRow = z.infer<typeof peerRowSchema>;

/**
 * timeseries.csv: one row per strategy per sampling interval; strategy-specific columns (such
 * as meanTreeDepth, optional numbers) follow these.
 */
export const timeseriesRowSchema = z.strictObject({
  strategy: name,
  timeSeconds: number,
  /** Peers online. */
  population: number,
  starting: number,
  playing: number,
  stalled: number,
  /** Mean playback lag of playing and stalled peers; null when there are none. */
  meanLagSeconds: optionalNumber,
  /** Source upload over the last interval. */
  sourceUploadBitsPerSecond: number,
});

/** The fixed columns of one row of timeseries.csv. */
export type TimeseriesCells = z.infer<typeof timeseriesRowSchema>;

/** gauges.csv: strategy-specific observations. */
export const gaugeRowSchema = z.strictObject({
  strategy: name,
  /** What is observed, such as treeDepth or swarmSize. */
  name,
  timeSeconds: number,
  /** Peer id, or the slice index for swarmSize; null when empty. */
  peer: optionalNumber,
  value: number,
});

/** One row of gauges.csv. */
export type GaugeCells = z.infer<typeof gaugeRowSchema>;

/** events.csv: notable churn events to mark on time plots. */
export const eventRowSchema = z.strictObject({
  strategy: name,
  timeSeconds: number,
  /** flash-crowd, mass-exit or relay-departure. */
  kind: name,
  /** The crowd's size, the share leaving, or the children a relay left. */
  detail: text,
});

/** One row of events.csv. */
export type EventRow = z.infer<typeof eventRowSchema>;

/** How a cell is read: a name, free text, a number, a number or empty, a flag. */
export type CellKind = "name" | "text" | "number" | "number?" | "flag";

/** The columns of a row schema in file order, with the kind of each cell. */
export function columnKinds(schema: z.ZodObject): [string, CellKind][] {
  return Object.entries(schema.shape).map(([column, cell]) => [column, cellKind(cell)]);
}

/** The columns of a row schema, in file order. */
export function columnsOf(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

function cellKind(cell: z.ZodType): CellKind {
  if (cell instanceof z.ZodNullable) return "number?";
  if (cell instanceof z.ZodNumber) return "number";
  if (cell instanceof z.ZodBoolean) return "flag";
  if (cell instanceof z.ZodString) return (cell.minLength ?? 0) > 0 ? "name" : "text";
  throw new Error(`no CSV cell kind for a ${cell.constructor.name}`);
}

/** peers.csv's columns. */
export const PEER_COLUMNS = columnsOf(peerRowSchema);
/** timeseries.csv's fixed columns (strategy-specific ones follow). */
export const TIMESERIES_COLUMNS = columnsOf(timeseriesRowSchema);
/** gauges.csv's columns. */
export const GAUGE_COLUMNS = columnsOf(gaugeRowSchema);
/** events.csv's columns. */
export const EVENT_COLUMNS = columnsOf(eventRowSchema);
