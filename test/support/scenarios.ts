import { join } from "node:path";
import type { RunHooks, StrategyRun } from "../../sim/run/runStrategy.ts";
import { loadScenario, parseScenario } from "../../sim/scenario/load.ts";
import { runScenario, type ScenarioRun } from "./checkedRun.ts";

/*
 * Builders of the small scenarios strategy tests run: the parts a test varies are named, the
 * rest (a 400 kbps stream in one-second chunks, peers on a plane) is written once here.
 */

/** Peers on a plane: 5 ms access delay each way plus 60 ms across the plane. */
export const PLANE_LATENCY = "{ model: plane, access: 5ms, propagation: 60ms }";

/** Churn where nobody leaves during the run: `arrivals` (a flow mapping), hour-long sessions. */
export function stayingAudience(arrivals: string): string[] {
  return [`arrivals: [${arrivals}]`, "session: { distribution: fixed, mean: 1h }"];
}

/** Steady churn: one arrival a second, exponential sessions of mean 2 min, half abrupt. */
export const STEADY_CHURN: readonly string[] = [
  "arrivals: [{ type: poisson, rate: 1/s }]",
  "session: { distribution: exponential, mean: 2min }",
  "abruptShare: 0.5",
];

/** What a test scenario says; each string is YAML, as it stands in a scenario file. */
export interface TestScenario {
  name: string;
  seed?: number;
  /** Simulated time, e.g. `3min`. */
  duration: string;
  /** The stream's bit rate (chunks are one second). Default `400kbps`. */
  bitrate?: string;
  /** The source's fields, e.g. `upload: 4Mbps`. */
  source: string;
  /** Peer classes, one flow mapping each. */
  classes: readonly string[];
  /** The latency model. Default {@link PLANE_LATENCY}. */
  latency?: string;
  /** The lines of the `churn` mapping. */
  churn: readonly string[];
  /** The `player` mapping, when not the default. */
  player?: string;
  /** Strategy entries, one flow mapping each (comments may follow on their own lines). */
  strategies: readonly string[];
}

/** The YAML text of a test scenario. */
export function scenarioYaml(s: TestScenario): string {
  const lines = [
    `name: ${s.name}`,
    ...(s.seed === undefined ? [] : [`seed: ${s.seed}`]),
    `duration: ${s.duration}`,
    `stream: { bitrate: ${s.bitrate ?? "400kbps"}, chunkDuration: 1s }`,
    `source: { ${s.source} }`,
    "peers:",
    "  classes:",
    ...s.classes.map((c) => `    - ${c}`),
    `  latency: ${s.latency ?? PLANE_LATENCY}`,
    "churn:",
    ...s.churn.map((line) => `  ${line}`),
    ...(s.player === undefined ? [] : [`player: ${s.player}`]),
    "strategies:",
    ...s.strategies.map((entry) => `  - ${entry}`),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Parses a test scenario (`file` names it in errors and anchors relative trace paths) and runs
 * it with the invariant checks of {@link runScenario}.
 */
export function runYaml(text: string, file: string, hooks: RunHooks = {}): ScenarioRun {
  return runScenario(parseScenario(text, file), hooks);
}

/** A strategy-specific summary figure, which strategies report as plain numbers. */
export const figure = (run: StrategyRun, key: string): number => run.summary[key] as number;

/**
 * The tiny scenario command tests run: seed 4, an 8 Mbps source, peers of the default classes
 * arriving 20 a minute (and by `moreArrivals`, flow mappings) for one-minute sessions.
 */
export function tinyScenario(
  duration: string,
  strategies: readonly string[],
  moreArrivals: readonly string[] = [],
): string {
  const lines = [
    "name: tiny",
    "seed: 4",
    `duration: ${duration}`,
    "stream: { bitrate: 400kbps, chunkDuration: 1s }",
    "source: { upload: 8Mbps }",
    "churn:",
    "  arrivals:",
    "    - { type: poisson, rate: 20/min }",
    ...moreArrivals.map((arrival) => `    - ${arrival}`),
    "  session: { distribution: exponential, mean: 1min }",
    "strategies:",
    ...strategies.map((entry) => `  - ${entry}`),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The summaries (each with its event count) of `scenarios/striped-vs-tree.yaml` cut to 5
 * minutes with `strategies` (a YAML flow sequence) in place of its own, as the text that a
 * test pinning a strategy's results keeps as its snapshot.
 */
export function pinnedSummaries(strategies: string): string {
  const scenario = loadScenario(join(import.meta.dirname, "../../scenarios/striped-vs-tree.yaml"), [
    { path: "duration", value: "5min" },
    { path: "strategies", value: strategies },
  ]);
  const result = runScenario(scenario);
  const summaries = Object.fromEntries(
    result.runs.map((run) => [run.entry.name, { ...run.summary, events: run.events }]),
  );
  return JSON.stringify(summaries, null, 1);
}
