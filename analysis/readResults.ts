import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { CsvRowReader, parseCsv } from "./csv.ts";
import type {
  Dist,
  EventRow,
  GaugeRow,
  Manifest,
  MetricValue,
  PeerRow,
  ReplicatedValue,
  Results,
  StrategySummary,
  TimeRow,
} from "./types.ts";

/*
 * Reads a results directory written by `sim run`:
 *   summary.json    required  { scenario, seed, durationSeconds, strategies: { name: summary } }
 *   peers.csv       required  one row per peer session per strategy
 *   timeseries.csv  required  one row per strategy per sampling interval (+ extra columns)
 *   gauges.csv      optional  strategy-specific observations
 *   events.csv      optional  churn events to mark on time plots
 *   manifest.json   optional  { seed, version, gitCommit, scenario: { name, ... }, strategies }
 * timing.json is ignored: wall-clock figures are not deterministic.
 * Every problem is thrown as an Error with a one-line message that names the file.
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

const SCALAR_KEYS = [
  "peers",
  "stallsPerMinute",
  "stallRatio",
  "continuityIndex",
  "sourceUploadShare",
  "overheadRatio",
  "rejoinsPerPeerHour",
  "events",
] as const;
const DIST_KEYS = ["startupLatencySeconds", "playbackLagSeconds", "recoverySeconds"] as const;
const DIST_FIELDS = ["mean", "p50", "p95", "p99", "max"] as const;

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
  const summaryJson = parseJson(summaryFile, await readRequired(summaryFile));
  const { scenario, seed, durationSeconds, strategies, summary } = parseSummary(
    summaryFile,
    summaryJson,
  );

  const manifestFile = join(dir, "manifest.json");
  const manifestText = await readOptional(manifestFile);
  const manifest =
    manifestText === null
      ? null
      : parseManifest(manifestFile, parseJson(manifestFile, manifestText));

  // JSON object order puts integer-like keys first; the manifest's list keeps the scenario order.
  const listed = manifestStrategies(manifestText === null ? null : JSON.parse(manifestText));
  if (listed && listed.length === strategies.length && listed.every((s) => s in summary)) {
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

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    throw new Error(`${file}: invalid JSON (${reason})`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNumberOrNull(value: unknown): value is number | null {
  return value === null || (typeof value === "number" && Number.isFinite(value));
}

function isDist(value: unknown): value is Dist {
  return isObject(value) && DIST_FIELDS.every((f) => f in value && isNumberOrNull(value[f]));
}

function parseSummary(file: string, json: unknown) {
  if (!isObject(json)) throw new Error(`${file}: expected a JSON object`);
  const { scenario, seed, durationSeconds, strategies: raw } = json;
  if (typeof scenario !== "string" || scenario === "") {
    throw new Error(`${file}: "scenario" must be a non-empty string`);
  }
  if (typeof seed !== "number" || !Number.isFinite(seed)) {
    throw new Error(`${file}: "seed" must be a number`);
  }
  if (typeof durationSeconds !== "number" || !(durationSeconds > 0)) {
    throw new Error(`${file}: "durationSeconds" must be a positive number`);
  }
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    throw new Error(`${file}: "strategies" must be an object with at least one strategy`);
  }
  const summary: Record<string, StrategySummary> = {};
  for (const [name, entry] of Object.entries(raw)) {
    const where = `strategies.${name}`;
    if (!isObject(entry)) throw new Error(`${file}: ${where} must be an object`);
    if (typeof entry.type !== "string") throw new Error(`${file}: ${where}.type must be a string`);
    for (const key of SCALAR_KEYS) {
      if (!(key in entry)) throw new Error(`${file}: ${where}.${key} is missing`);
      if (!isNumberOrNull(entry[key])) throw new Error(`${file}: ${where}.${key} must be a number`);
    }
    for (const key of DIST_KEYS) {
      if (!(key in entry)) throw new Error(`${file}: ${where}.${key} is missing`);
      if (!isDist(entry[key])) {
        throw new Error(
          `${file}: ${where}.${key} must be {mean, p50, p95, p99, max} of numbers or nulls`,
        );
      }
    }
    const metrics: Record<string, MetricValue> = {};
    for (const [key, value] of Object.entries(entry)) {
      // The replication count describes the entry; it is not a metric of the strategy.
      if (key === "replications") continue;
      if (isNumberOrNull(value)) metrics[key] = value;
      else if (isDist(value)) metrics[key] = pickDist(value);
    }
    const num = (key: string) => metrics[key] as number | null;
    const dist = (key: string) => metrics[key] as Dist;
    summary[name] = {
      type: entry.type,
      peers: num("peers"),
      startupLatencySeconds: dist("startupLatencySeconds"),
      stallsPerMinute: num("stallsPerMinute"),
      stallRatio: num("stallRatio"),
      continuityIndex: num("continuityIndex"),
      playbackLagSeconds: dist("playbackLagSeconds"),
      sourceUploadShare: num("sourceUploadShare"),
      overheadRatio: num("overheadRatio"),
      rejoinsPerPeerHour: num("rejoinsPerPeerHour"),
      recoverySeconds: dist("recoverySeconds"),
      events: num("events"),
      metrics,
      confidence: parseConfidence(entry.confidence),
    };
  }
  return { scenario, seed, durationSeconds, strategies: Object.keys(summary), summary };
}

/** summary.json's per-metric intervals of a replicated run; entries of another shape are left out. */
function parseConfidence(value: unknown): Record<string, ReplicatedValue> | null {
  if (!isObject(value)) return null;
  const out: Record<string, ReplicatedValue> = {};
  for (const [metric, i] of Object.entries(value)) {
    if (
      isObject(i) &&
      isNumberOrNull(i.mean) &&
      isNumberOrNull(i.halfWidth95) &&
      typeof i.n === "number"
    )
      out[metric] = { mean: i.mean, halfWidth95: i.halfWidth95, n: i.n };
  }
  return out;
}

function pickDist(value: Dist): Dist {
  return { mean: value.mean, p50: value.p50, p95: value.p95, p99: value.p99, max: value.max };
}

function parseManifest(file: string, json: unknown): Manifest {
  if (!isObject(json)) throw new Error(`${file}: expected a JSON object`);
  const optionalString = (key: string): string | null => {
    const value = json[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") throw new Error(`${file}: "${key}" must be a string`);
    return value;
  };
  const seed = json.seed;
  if (seed !== undefined && seed !== null && typeof seed !== "number") {
    throw new Error(`${file}: "seed" must be a number`);
  }
  const scenario = json.scenario;
  if (scenario !== undefined && scenario !== null && !isObject(scenario)) {
    throw new Error(`${file}: "scenario" must be an object`);
  }
  const name = isObject(scenario) && typeof scenario.name === "string" ? scenario.name : null;
  return {
    seed: typeof seed === "number" ? seed : null,
    version: optionalString("version"),
    gitCommit: optionalString("gitCommit"),
    scenarioName: name,
  };
}

function manifestStrategies(json: unknown): string[] | null {
  if (!isObject(json) || !Array.isArray(json.strategies)) return null;
  const names = json.strategies.filter((s): s is string => typeof s === "string");
  return names.length === json.strategies.length && new Set(names).size === names.length
    ? names
    : null;
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
