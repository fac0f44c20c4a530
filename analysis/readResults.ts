import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import {
  columnKinds,
  eventRowSchema,
  gaugeRowSchema,
  peerRowSchema,
  TIMESERIES_COLUMNS,
  type TimeseriesCells,
  timeseriesRowSchema,
} from "../sim/results/csvFiles.ts";
import {
  type Manifest as ManifestFile,
  type ReadableSummary,
  readableManifestSchema,
  readableSummarySchema,
} from "../sim/results/schema.ts";
import { parseJson, validated } from "../sim/results/validate.ts";
import { CsvRowReader, type CsvTable, parseCsv } from "./csv.ts";
import type { EventRow, GaugeRow, Manifest, PeerRow, Results, TimeRow } from "./types.ts";

/*
 * Reads a results directory written by `sim run`:
 *   summary.json    required  { scenario, seed, durationSeconds, strategies: { name: summary } }
 *                             (sim/results/schema.ts, as readableSummarySchema accepts it)
 *   peers.csv       required  one row per peer session per strategy
 *   timeseries.csv  required  one row per strategy per sampling interval (+ extra columns)
 *   gauges.csv      optional  strategy-specific observations
 *   events.csv      optional  churn events to mark on time plots
 *                             (the CSV files' columns and cells: sim/results/csvFiles.ts)
 *   manifest.json   optional  { seed, version, gitCommit, scenario: { name, ... }, strategies }
 *                             (sim/results/schema.ts, every field optional)
 * timing.json is ignored: wall-clock figures are not deterministic.
 * Every problem is thrown as an Error with a one-line message that names the file (and, in a
 * JSON file, the field path).
 */

/** Reads and validates one results directory. */
export async function readResults(dir: string): Promise<Results> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch {
    throw new Error(`${dir}: results directory not found`);
  }
  if (!info.isDirectory()) throw new Error(`${dir}: not a directory`);

  const summaryFile = join(dir, "summary.json");
  const {
    scenario,
    seed,
    durationSeconds,
    strategies: summary,
  } = validated<ReadableSummary>(
    readableSummarySchema,
    summaryFile,
    parseJson(summaryFile, await readRequired(summaryFile)),
  );
  const strategies = Object.keys(summary);

  const manifestFile = join(dir, "manifest.json");
  const manifestText = await readOptional(manifestFile);
  const manifestJson =
    manifestText === null
      ? null
      : validated<Partial<ManifestFile>>(
          readableManifestSchema,
          manifestFile,
          parseJson(manifestFile, manifestText),
        );
  const manifest = manifestJson === null ? null : manifestFacts(manifestJson);

  // JSON object order puts integer-like keys first; the manifest's list keeps the scenario order.
  const listed = manifestJson?.strategies;
  if (
    listed &&
    new Set(listed).size === listed.length &&
    listed.length === strategies.length &&
    listed.every((s) => s in summary)
  ) {
    strategies.splice(0, strategies.length, ...listed);
  }
  const known = new Set(strategies);
  const checkStrategy = (file: string, line: number, name: string) => {
    if (!known.has(name)) {
      throw new Error(
        `${file}: line ${line}: unknown strategy "${name}" (summary.json has ${strategies.join(", ")})`,
      );
    }
  };

  const peersFile = join(dir, "peers.csv");
  const peers = parsePeers(peersFile, await readRequired(peersFile), checkStrategy);
  const timeseriesFile = join(dir, "timeseries.csv");
  const { rows: timeseries, extras } = parseTimeseries(
    timeseriesFile,
    await readRequired(timeseriesFile),
    checkStrategy,
  );
  const gaugesFile = join(dir, "gauges.csv");
  const gaugesText = await readOptional(gaugesFile);
  const gauges = gaugesText === null ? [] : parseGauges(gaugesFile, gaugesText, checkStrategy);
  const eventsFile = join(dir, "events.csv");
  const eventsText = await readOptional(eventsFile);
  const events = eventsText === null ? [] : parseEvents(eventsFile, eventsText, checkStrategy);

  return {
    dir,
    label: `${scenario}@${seed}`,
    scenario,
    seed,
    durationSeconds,
    strategies,
    summary,
    manifest,
    peers,
    timeseries,
    timeseriesExtras: extras,
    gauges,
    events,
  };
}

async function readRequired(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${file}: file not found`);
    throw new Error(`${file}: cannot read (${code ?? String(error)})`);
  }
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw new Error(`${file}: cannot read (${code ?? String(error)})`);
  }
}

/** The parts of manifest.json the analysis uses. */
function manifestFacts(json: Partial<ManifestFile>): Manifest {
  return {
    seed: json.seed ?? null,
    version: json.version ?? null,
    gitCommit: json.gitCommit ?? null,
    scenarioName: json.scenario?.name ?? null,
  };
}

type StrategyCheck = (file: string, line: number, name: string) => void;

/**
 * The rows of a CSV result file whose columns `schema` (sim/results/csvFiles.ts) defines, each
 * cell read by its kind; columns beyond those are left to the caller. The strategy is checked
 * first, so a row of an unknown strategy is reported as such.
 */
function readRows<T>(
  file: string,
  text: string,
  schema: z.ZodObject,
  check: StrategyCheck,
): { rows: T[]; table: CsvTable; reader: CsvRowReader } {
  const kinds = columnKinds(schema);
  const table = parseCsv(
    file,
    text,
    kinds.map(([column]) => column),
  );
  const reader = new CsvRowReader(table);
  const rows = table.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [column, kind] of kinds) {
      out[column] = reader.read(row, column, kind);
      if (column === "strategy") check(file, row.line, out.strategy as string);
    }
    return out as T;
  });
  return { rows, table, reader };
}

function parsePeers(file: string, text: string, check: StrategyCheck): PeerRow[] {
  return readRows<PeerRow>(file, text, peerRowSchema, check).rows;
}

function parseTimeseries(
  file: string,
  text: string,
  check: StrategyCheck,
): { rows: TimeRow[]; extras: string[] } {
  const { rows, table, reader } = readRows<TimeseriesCells>(file, text, timeseriesRowSchema, check);
  const base = new Set<string>(TIMESERIES_COLUMNS);
  const extras = table.header.filter((name) => !base.has(name));
  return {
    rows: rows.map((cells, i) => {
      const extra: Record<string, number | null> = {};
      for (const name of extras) extra[name] = reader.optionalNumber(table.rows[i], name);
      return { ...cells, extra };
    }),
    extras,
  };
}

function parseGauges(file: string, text: string, check: StrategyCheck): GaugeRow[] {
  return readRows<GaugeRow>(file, text, gaugeRowSchema, check).rows;
}

function parseEvents(file: string, text: string, check: StrategyCheck): EventRow[] {
  return readRows<EventRow>(file, text, eventRowSchema, check).rows;
}
