import { forEachLine } from "./lineReader.ts";

/** Seconds in one tick of the Twitch dataset (Rappaz et al., RecSys 2021: 10-minute ticks). */
export const TWITCH_TICK_SECONDS = 600;

/** One row of a churn trace. */
export interface TraceRow {
  joinSeconds: number;
  /** Absent when the trace gives no leave time. */
  leaveSeconds?: number;
  /** Capacity class name, when the trace names one. */
  className?: string;
}

/**
 * The data of a {@link TraceTable}: what survives a structured clone (the copy of a scenario
 * sent to a worker thread keeps the fields and loses the class), so readers use
 * {@link traceRow} rather than methods.
 */
export interface TraceColumns {
  /** Rows held. */
  size: number;
  /** Join time of each row, seconds (the arrays may be longer than `size`). */
  join: Float64Array;
  /** Leave time of each row, seconds; NaN when the trace gives none. */
  leave: Float64Array;
  /** Index into `classNames` of each row's class; -1 when the trace names none. */
  classCode: Int32Array;
  /** Class names, in order of first appearance. */
  classNames: string[];
}

/** Row `i` of a trace table (or of its structured clone) as an object. */
export function traceRow(table: TraceColumns, i: number): TraceRow {
  const row: TraceRow = { joinSeconds: table.join[i] };
  if (!Number.isNaN(table.leave[i])) row.leaveSeconds = table.leave[i];
  if (table.classCode[i] >= 0) row.className = table.classNames[table.classCode[i]];
  return row;
}

/**
 * The rows of a trace, stored column-wise in typed arrays (20 bytes a row instead of an object
 * each), so that a trace of millions of sessions stays compact. It serializes to JSON as its row
 * count only, so that manifest.json names the file and the count rather than copying the trace.
 */
export class TraceTable implements TraceColumns {
  join = new Float64Array(1024);
  leave = new Float64Array(1024);
  classCode = new Int32Array(1024);
  readonly classNames: string[] = [];
  private readonly classCodes = new Map<string, number>();
  size = 0;

  /** Adds a row; `leaveSeconds` NaN when the trace gives none. */
  push(joinSeconds: number, leaveSeconds: number, className?: string): void {
    if (this.size === this.join.length) {
      const grow = <T extends Float64Array | Int32Array>(old: T, fresh: T): T => {
        fresh.set(old);
        return fresh;
      };
      this.join = grow(this.join, new Float64Array(this.size * 2));
      this.leave = grow(this.leave, new Float64Array(this.size * 2));
      this.classCode = grow(this.classCode, new Int32Array(this.size * 2));
    }
    let code = -1;
    if (className !== undefined) {
      code = this.classCodes.get(className) ?? -1;
      if (code < 0) {
        code = this.classNames.length;
        this.classNames.push(className);
        this.classCodes.set(className, code);
      }
    }
    this.join[this.size] = joinSeconds;
    this.leave[this.size] = leaveSeconds;
    this.classCode[this.size] = code;
    this.size++;
  }

  /** Row `i` as an object. */
  row(i: number): TraceRow {
    return traceRow(this, i);
  }

  /** Shifts every join and leave time by `seconds` (to move a trace's origin to time 0). */
  shift(seconds: number): void {
    for (let i = 0; i < this.size; i++) {
      this.join[i] += seconds;
      this.leave[i] += seconds;
    }
  }

  /** Smallest join time, seconds (Infinity when empty). */
  earliestJoinSeconds(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.size; i++) earliest = Math.min(earliest, this.join[i]);
    return earliest;
  }

  /** A table from plain rows (for tests and small programmatic traces). */
  static of(rows: readonly TraceRow[]): TraceTable {
    const table = new TraceTable();
    for (const r of rows) table.push(r.joinSeconds, r.leaveSeconds ?? Number.NaN, r.className);
    return table;
  }

  /** What manifest.json shows: the count, not the rows. */
  toJSON(): { rows: number } {
    return { rows: this.size };
  }
}

/**
 * Reads a churn trace CSV (header `join[,leave][,class]`, times in seconds; blank lines and
 * lines starting with '#' are skipped), a line at a time. `maxRows` bounds the rows kept.
 */
export function readJoinLeaveTrace(
  path: string,
  fail: (problem: string) => Error,
  maxRows: number,
): TraceTable {
  const table = new TraceTable();
  let row = 0;
  let joinColumn = -1;
  let leaveColumn = -1;
  let classColumn = -1;
  forEachLine(path, (line) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    row++;
    const cells = line.split(",").map((cell) => cell.trim());
    if (row === 1) {
      const header = cells.map((cell) => cell.toLowerCase());
      joinColumn = header.indexOf("join");
      leaveColumn = header.indexOf("leave");
      classColumn = header.indexOf("class");
      if (joinColumn < 0) throw fail("trace header must have a 'join' column");
      return;
    }
    const joinSeconds = Number(cells[joinColumn]);
    if (cells[joinColumn] === "" || !Number.isFinite(joinSeconds) || joinSeconds < 0) {
      throw fail(`trace row ${row}: join time '${cells[joinColumn]}' is not a time in seconds`);
    }
    let leaveSeconds = Number.NaN;
    if (leaveColumn >= 0 && cells[leaveColumn] !== undefined && cells[leaveColumn] !== "") {
      leaveSeconds = Number(cells[leaveColumn]);
      if (!Number.isFinite(leaveSeconds) || leaveSeconds < joinSeconds) {
        throw fail(`trace row ${row}: leave time '${cells[leaveColumn]}' is before join`);
      }
    }
    const className = classColumn >= 0 && cells[classColumn] ? cells[classColumn] : undefined;
    table.push(joinSeconds, leaveSeconds, className);
    if (table.size > maxRows) throw fail(`trace has more than ${maxRows} rows`);
  });
  if (row === 0) throw fail("trace is empty (expected a header row with 'join')");
  return table;
}

/** Which rows of a Twitch trace to keep, and where its clock starts. */
export interface TwitchFilter {
  /** Keep only rows of this `stream_id`. */
  stream?: string;
  /** Keep only rows of this `streamer` (user name). */
  streamer?: string;
  /**
   * Tick that becomes time 0 of the run; rows that end at or before it are left out and rows
   * that straddle it join at 0. Default: the earliest `time_start` of the kept rows.
   */
  fromTick?: number;
}

/**
 * Reads the Twitch viewer dataset of Rappaz, Chaumond and McAuley (RecSys 2021: "Recommendation
 * on live-streaming platforms: dynamic availability and repeat consumption"): rows
 * `user_id,stream_id,streamer,time_start,time_stop`, times in 10-minute ticks, with or without a
 * header row. Only rows matching the filter are kept, and the file is read a line at a time, so
 * the 3-million-row file of 100k users never sits in memory. Each kept row becomes a session
 * from `time_start` to `time_stop` (in seconds from the origin tick).
 */
export function readTwitchTrace(
  path: string,
  filter: TwitchFilter,
  fail: (problem: string) => Error,
  maxRows: number,
): TraceTable {
  const table = new TraceTable();
  let lastLine = 0;
  forEachLine(path, (line, lineNumber) => {
    lastLine = lineNumber;
    if (line.trim() === "") return;
    const cells = line.split(",");
    if (cells.length !== 5) {
      throw fail(
        `trace line ${lineNumber}: expected 5 columns (user_id,stream_id,streamer,time_start,time_stop), got ${cells.length}`,
      );
    }
    const startText = cells[3].trim();
    const stopText = cells[4].trim();
    if (lineNumber === 1 && !/^-?\d+$/.test(startText)) return; // a header row
    if (filter.stream !== undefined && cells[1].trim() !== filter.stream) return;
    if (filter.streamer !== undefined && cells[2].trim() !== filter.streamer) return;
    const start = Number(startText);
    const stop = Number(stopText);
    if (!/^-?\d+$/.test(startText) || !Number.isSafeInteger(start)) {
      throw fail(`trace line ${lineNumber}: time_start '${startText}' is not a whole tick`);
    }
    if (!/^-?\d+$/.test(stopText) || !Number.isSafeInteger(stop) || stop <= start) {
      throw fail(
        `trace line ${lineNumber}: time_stop '${stopText}' is not a tick after time_start`,
      );
    }
    if (filter.fromTick !== undefined && stop <= filter.fromTick) return;
    const from = filter.fromTick === undefined ? start : Math.max(start, filter.fromTick);
    table.push(from * TWITCH_TICK_SECONDS, stop * TWITCH_TICK_SECONDS);
    if (table.size > maxRows) throw fail(`trace keeps more than ${maxRows} rows`);
  });
  if (lastLine === 0) throw fail("trace is empty");
  const originSeconds =
    filter.fromTick === undefined
      ? table.earliestJoinSeconds()
      : filter.fromTick * TWITCH_TICK_SECONDS;
  if (table.size > 0) table.shift(-originSeconds);
  return table;
}
