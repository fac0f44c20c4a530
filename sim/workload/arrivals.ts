import { readFileSync } from "node:fs";
import { isAbsolute, resolve as resolvePath } from "node:path";
import type { RandomStream } from "../engine/random.ts";
import type { OptionReader, YamlPath } from "../scenario/reader.ts";

/** Names of the supported arrival processes. */
export const ARRIVAL_TYPES = ["poisson", "flash-crowd", "trace"] as const;

/**
 * One source of viewer arrivals. A scenario lists any number of them; their arrivals are merged.
 * - `poisson`: arrivals at `ratePerSecond` between `fromSeconds` and `untilSeconds` (live
 *   audiences arrive close to Poisson within short windows: Sripanidkulchai et al., IMC 2004).
 * - `flash-crowd`: `count` viewers join at `atSeconds`, spread uniformly over `overSeconds`
 *   (all at once when 0).
 * - `trace`: join (and optionally leave) times read from a CSV file with a header row holding
 *   `join` and optionally `leave` and `class` columns, times in seconds. A row without a leave
 *   time draws its session length from `churn.session`.
 */
export type ArrivalOptions =
  | { type: "poisson"; ratePerSecond: number; fromSeconds: number; untilSeconds: number }
  | { type: "flash-crowd"; count: number; atSeconds: number; overSeconds: number }
  | { type: "trace"; file: string; rows: TraceRow[] };

/** One row of a churn trace. */
export interface TraceRow {
  joinSeconds: number;
  /** Absent when the trace gives no leave time. */
  leaveSeconds?: number;
  /** Capacity class name, when the trace names one. */
  className?: string;
}

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
      const fullPath = isAbsolute(file) ? file : resolvePath(reader.context.baseDirectory, file);
      let text: string;
      try {
        text = readFileSync(fullPath, "utf8");
      } catch {
        throw reader.error("file", `cannot read trace file '${fullPath}'`);
      }
      return { type, file, rows: parseTrace(text, (problem) => reader.error("file", problem)) };
    }
  }
  throw reader.errorAt(path, "unreachable");
}

/** Parses a churn trace CSV (header `join[,leave][,class]`, seconds). */
export function parseTrace(text: string, fail: (problem: string) => Error): TraceRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.startsWith("#"));
  if (lines.length === 0) throw fail("trace is empty (expected a header row with 'join')");
  const header = lines[0].split(",").map((cell) => cell.trim().toLowerCase());
  const joinColumn = header.indexOf("join");
  const leaveColumn = header.indexOf("leave");
  const classColumn = header.indexOf("class");
  if (joinColumn < 0) throw fail("trace header must have a 'join' column");
  const rows: TraceRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(",").map((cell) => cell.trim());
    const joinSeconds = Number(cells[joinColumn]);
    if (cells[joinColumn] === "" || !Number.isFinite(joinSeconds) || joinSeconds < 0) {
      throw fail(`trace row ${i + 1}: join time '${cells[joinColumn]}' is not a time in seconds`);
    }
    const row: TraceRow = { joinSeconds };
    if (leaveColumn >= 0 && cells[leaveColumn] !== undefined && cells[leaveColumn] !== "") {
      const leaveSeconds = Number(cells[leaveColumn]);
      if (!Number.isFinite(leaveSeconds) || leaveSeconds < joinSeconds) {
        throw fail(`trace row ${i + 1}: leave time '${cells[leaveColumn]}' is before join`);
      }
      row.leaveSeconds = leaveSeconds;
    }
    if (classColumn >= 0 && cells[classColumn]) row.className = cells[classColumn];
    rows.push(row);
    if (rows.length > MAX_ARRIVALS) throw fail(`trace has more than ${MAX_ARRIVALS} rows`);
  }
  return rows;
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
    case "trace":
      return options.rows.map((row) => ({ ...row }));
  }
}
