import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  type Manifest as ManifestFile,
  readableManifestSchema,
  readableSummarySchema,
  type Summary,
} from "../sim/results/schema.ts";
import { parseJson, validated } from "../sim/results/validate.ts";
import { CsvRowReader, parseCsv } from "./csv.ts";
import type { EventRow, GaugeRow, Manifest, PeerRow, Results, TimeRow } from "./types.ts";

/*
 * Reads a results directory written by `sim run`:
 *   summary.json    required  { scenario, seed, durationSeconds, strategies: { name: summary } }
 *                             (sim/results/schema.ts, as readableSummarySchema accepts it)
 *   peers.csv       required  one row per peer session per strategy
 *   timeseries.csv  required  one row per strategy per sampling interval (+ extra columns)
 *   gauges.csv      optional  strategy-specific observations
 *   events.csv      optional  churn events to mark on time plots
 *   manifest.json   optional  { seed, version, gitCommit, scenario: { name, ... }, strategies }
 *                             (sim/results/schema.ts, every field optional)
 * timing.json is ignored: wall-clock figures are not deterministic.
 * Every problem is thrown as an Error with a one-line message that names the file (and, in a
 * JSON file, the field path).
 */

// The column lists are the simulator's own (the writer and the reader share one definition).
export {
  EVENT_COLUMNS,
  GAUGE_COLUMNS,
  PEER_COLUMNS,
  TIMESERIES_COLUMNS,
} from "../sim/run/columns.ts";

import {
  EVENT_COLUMNS,
  GAUGE_COLUMNS,
  PEER_COLUMNS,
  TIMESERIES_COLUMNS,
} from "../sim/run/columns.ts";

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
  } = validated<Summary>(
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

function parsePeers(file: string, text: string, check: StrategyCheck): PeerRow[] {
  const table = parseCsv(file, text, PEER_COLUMNS);
  const r = new CsvRowReader(table);
  return table.rows.map((row) => {
    const strategy = r.string(row, "strategy");
    check(file, row.line, strategy);
    return {
      strategy,
      peer: r.string(row, "peer"),
      class: r.string(row, "class"),
      uploadBitsPerSecond: r.number(row, "uploadBitsPerSecond"),
      joinSeconds: r.number(row, "joinSeconds"),
      leaveSeconds: r.optionalNumber(row, "leaveSeconds"),
      abrupt: r.boolean(row, "abrupt"),
      startupLatencySeconds: r.optionalNumber(row, "startupLatencySeconds"),
      playingSeconds: r.number(row, "playingSeconds"),
      stalledSeconds: r.number(row, "stalledSeconds"),
      stalls: r.number(row, "stalls"),
      chunksOnTime: r.number(row, "chunksOnTime"),
      chunksLate: r.number(row, "chunksLate"),
      chunksMissed: r.number(row, "chunksMissed"),
      continuityIndex: r.optionalNumber(row, "continuityIndex"),
      meanLagSeconds: r.optionalNumber(row, "meanLagSeconds"),
      rejoins: r.number(row, "rejoins"),
      uploadedBytes: r.number(row, "uploadedBytes"),
      downloadedBytes: r.number(row, "downloadedBytes"),
    };
  });
}

function parseTimeseries(
  file: string,
  text: string,
  check: StrategyCheck,
): { rows: TimeRow[]; extras: string[] } {
  const table = parseCsv(file, text, TIMESERIES_COLUMNS);
  const base = new Set<string>(TIMESERIES_COLUMNS);
  const extras = table.header.filter((name) => !base.has(name));
  const r = new CsvRowReader(table);
  const rows = table.rows.map((row) => {
    const strategy = r.string(row, "strategy");
    check(file, row.line, strategy);
    const extra: Record<string, number | null> = {};
    for (const name of extras) extra[name] = r.optionalNumber(row, name);
    return {
      strategy,
      timeSeconds: r.number(row, "timeSeconds"),
      population: r.number(row, "population"),
      starting: r.number(row, "starting"),
      playing: r.number(row, "playing"),
      stalled: r.number(row, "stalled"),
      meanLagSeconds: r.optionalNumber(row, "meanLagSeconds"),
      sourceUploadBitsPerSecond: r.number(row, "sourceUploadBitsPerSecond"),
      extra,
    };
  });
  return { rows, extras };
}

function parseGauges(file: string, text: string, check: StrategyCheck): GaugeRow[] {
  const table = parseCsv(file, text, GAUGE_COLUMNS);
  const r = new CsvRowReader(table);
  return table.rows.map((row) => {
    const strategy = r.string(row, "strategy");
    check(file, row.line, strategy);
    return {
      strategy,
      name: r.string(row, "name"),
      timeSeconds: r.number(row, "timeSeconds"),
      peer: r.optionalNumber(row, "peer"),
      value: r.number(row, "value"),
    };
  });
}

function parseEvents(file: string, text: string, check: StrategyCheck): EventRow[] {
  const table = parseCsv(file, text, EVENT_COLUMNS);
  const r = new CsvRowReader(table);
  return table.rows.map((row) => {
    const strategy = r.string(row, "strategy");
    check(file, row.line, strategy);
    return {
      strategy,
      timeSeconds: r.number(row, "timeSeconds"),
      kind: r.string(row, "kind"),
      detail: r.text(row, "detail"),
    };
  });
}
