import { existsSync } from "node:fs";
import { isAbsolute, resolve as resolvePath } from "node:path";
import type { RandomStream } from "../engine/random.ts";
import { type OptionReader, ScenarioError, type YamlPath } from "../scenario/reader.ts";
import {
  readJoinLeaveTrace,
  readTwitchTrace,
  type TraceColumns,
  type TraceTable,
  TWITCH_TICK_SECONDS,
  traceRow,
} from "./traceFiles.ts";

export type { TraceRow } from "./traceFiles.ts";
export { TraceTable } from "./traceFiles.ts";

/** Names of the supported arrival processes. */
export const ARRIVAL_TYPES = ["poisson", "flash-crowd", "trace"] as const;

/** Formats of a trace file. */
export const TRACE_FORMATS = ["csv", "twitch"] as const;

/**
 * One source of viewer arrivals. A scenario lists any number of them; their arrivals are merged.
 * - `poisson`: arrivals at `ratePerSecond` between `fromSeconds` and `untilSeconds` (live
 *   audiences arrive close to Poisson within short windows: Sripanidkulchai et al., IMC 2004).
 * - `flash-crowd`: `count` viewers join at `atSeconds`, spread uniformly over `overSeconds`
 *   (all at once when 0).
 * - `trace`, `format: csv` (the default): join (and optionally leave) times read from a CSV file
 *   with a header row holding `join` and optionally `leave` and `class` columns, times in
 *   seconds. A row without a leave time draws its session length from `churn.session`.
 * - `trace`, `format: twitch`: the Twitch viewer dataset (see {@link readTwitchTrace}), filtered
 *   to one `stream` (stream_id) and/or `streamer`; with `spreadWithinTick` (the default) each
 *   join and leave is placed uniformly inside its 10-minute tick, since the dataset only says in
 *   which tick a viewer was first and last seen (without it, every viewer of a tick would join
 *   in the same microsecond: an artificial flash crowd).
 *
 * Trace files are read a line at a time when the scenario is loaded.
 */
export type ArrivalOptions =
  | { type: "poisson"; ratePerSecond: number; fromSeconds: number; untilSeconds: number }
  | { type: "flash-crowd"; count: number; atSeconds: number; overSeconds: number }
  | { type: "trace"; format: "csv"; file: string; rows: TraceColumns }
  | {
      type: "trace";
      format: "twitch";
      file: string;
      stream?: string;
      streamer?: string;
      fromTick?: number;
      spreadWithinTick: boolean;
      rows: TraceColumns;
    };

/** One generated arrival before session lengths are drawn. */
export interface Arrival {
  joinSeconds: number;
  leaveSeconds?: number;
  className?: string;
}

/** Most arrivals one scenario may generate (a limit, so a typo in a rate fails loudly). */
export const MAX_ARRIVALS = 5_000_000;

/** Resolves one entry of `churn.arrivals`. */
export function resolveArrival(
  reader: OptionReader,
  durationSeconds: number,
  path: YamlPath,
): ArrivalOptions {
  const type = reader.choice("type", ARRIVAL_TYPES);
  switch (type) {
    case "poisson": {
      const ratePerSecond = reader.ratePerSecond("rate");
      const fromSeconds = reader.durationSeconds("from", 0);
      const untilSeconds = reader.durationSeconds("until", durationSeconds);
      if (untilSeconds < fromSeconds) {
        throw reader.error("until", `must not be before 'from' (${fromSeconds}s)`);
      }
      if (ratePerSecond * (untilSeconds - fromSeconds) > MAX_ARRIVALS) {
        throw reader.error("rate", `would generate more than ${MAX_ARRIVALS} arrivals`);
      }
      return { type, ratePerSecond, fromSeconds, untilSeconds };
    }
    case "flash-crowd": {
      const count = reader.integer("count", undefined, { min: 1, max: MAX_ARRIVALS });
      const atSeconds = reader.durationSeconds("at", 0);
      const overSeconds = reader.durationSeconds("over", 0);
      return { type, count, atSeconds, overSeconds };
    }
    case "trace": {
      const file = reader.string("file");
      const format = reader.choice("format", TRACE_FORMATS, "csv");
      const fullPath = isAbsolute(file) ? file : resolvePath(reader.context.baseDirectory, file);
      if (!existsSync(fullPath)) throw reader.error("file", `cannot read trace file '${fullPath}'`);
      const fail = (problem: string) => reader.error("file", problem);
      const read = (load: () => TraceTable): TraceTable => {
        try {
          return load();
        } catch (error) {
          if (error instanceof ScenarioError) throw error;
          throw reader.error("file", `cannot read trace file '${fullPath}'`);
        }
      };
      if (format === "csv") {
        return {
          type,
          format,
          file,
          rows: read(() => readJoinLeaveTrace(fullPath, fail, MAX_ARRIVALS)),
        };
      }
      const stream = reader.has("stream") ? reader.string("stream") : undefined;
      const streamer = reader.has("streamer") ? reader.string("streamer") : undefined;
      const fromTick = reader.has("fromTick")
        ? reader.integer("fromTick", undefined, { min: 0 })
        : undefined;
      const spreadWithinTick = reader.boolean("spreadWithinTick", true);
      const rows = read(() =>
        readTwitchTrace(fullPath, { stream, streamer, fromTick }, fail, MAX_ARRIVALS),
      );
      if (rows.size === 0) {
        throw reader.error(
          stream !== undefined ? "stream" : "file",
          "no trace row matches the filter (stream, streamer, fromTick)",
        );
      }
      return { type, format, file, stream, streamer, fromTick, spreadWithinTick, rows };
    }
  }
  throw reader.errorAt(path, "unreachable");
}

/** Generates the arrivals of one process, drawing only from its own stream. */
export function generateArrivals(options: ArrivalOptions, random: RandomStream): Arrival[] {
  switch (options.type) {
    case "poisson": {
      const out: Arrival[] = [];
      if (options.ratePerSecond <= 0) return out;
      let t = options.fromSeconds;
      for (;;) {
        t += -Math.log(1 - random.next()) / options.ratePerSecond;
        if (t >= options.untilSeconds) break;
        out.push({ joinSeconds: t });
      }
      return out;
    }
    case "flash-crowd": {
      const out: Arrival[] = [];
      for (let i = 0; i < options.count; i++) {
        const offset = options.overSeconds > 0 ? random.next() * options.overSeconds : 0;
        out.push({ joinSeconds: options.atSeconds + offset });
      }
      return out;
    }
    case "trace": {
      const out: Arrival[] = [];
      const spread = options.format === "twitch" && options.spreadWithinTick;
      for (let i = 0; i < options.rows.size; i++) {
        const row: Arrival = traceRow(options.rows, i);
        if (spread) {
          // Two draws for every row, so that one row's values never shift another's.
          const joinOffset = random.next() * TWITCH_TICK_SECONDS;
          const leaveOffset = random.next() * TWITCH_TICK_SECONDS;
          row.joinSeconds += joinOffset;
          if (row.leaveSeconds !== undefined) row.leaveSeconds += leaveOffset;
        }
        out.push(row);
      }
      return out;
    }
  }
}
