import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { sessionChunks } from "../metrics/chunksDue.ts";
import { sessionLagMicros } from "../metrics/qos.ts";
import { tidy } from "../metrics/summary.ts";
import {
  EVENT_COLUMNS,
  type EventRow,
  GAUGE_COLUMNS,
  type GaugeCells,
  PEER_COLUMNS,
  type PeerRow,
  TIMESERIES_COLUMNS,
  type TimeseriesCells,
} from "../results/csvFiles.ts";
import { type Manifest, manifestSchema, type Summary, summarySchema } from "../results/schema.ts";
import { checkBeforeWriting } from "../results/validate.ts";
import type { ScenarioWarning } from "../scenario/reader.ts";
import { dieIfOrphaned } from "./launcher.ts";
import {
  type foreignEntries,
  makeTemporary,
  type OutputPlan,
  planOutput,
  recoverStale,
  scratchName,
  swapIntoPlace,
} from "./outputDirectory.ts";
import type { ScenarioRun } from "./runScenario.ts";

/** Facts about the build and the run that go into manifest.json and timing.json. */
export interface RunFacts {
  version: string;
  gitCommit: string | null;
  /** Wall-clock figures: the only output allowed to differ between identical runs. */
  timing: Record<string, unknown>;
  /** What the scenario and its workload show cannot work as written (manifest.json). */
  warnings?: readonly ScenarioWarning[];
}

const blank = (v: number | null | undefined) => (v === null || v === undefined ? null : tidy(v));

/** Rows stringified at a time by {@link csvFile}. */
export const CSV_BATCH_ROWS = 4096;

/**
 * A CSV result file: the header `columns`, then each row's cells in that order (rows are keyed
 * by column, as sim/results/csvFiles.ts defines them). Null is an empty cell, a flag 1 or 0.
 * Rows are taken from `rows` and stringified a batch at a time, so that a file of a few hundred
 * thousand sessions never holds every row as an object at once (that doubled the peak memory
 * of a 100k-viewer run); the text is the same as stringifying all rows in one go.
 */
export function csvFile(
  columns: readonly string[],
  rows: Iterable<Record<string, unknown>>,
): string {
  const options = {
    columns: [...columns],
    cast: { boolean: (flag: boolean) => (flag ? "1" : "0") },
  };
  const parts: string[] = [];
  let batch: unknown[][] = [];
  const flush = () => {
    parts.push(stringify(batch, { ...options, header: parts.length === 0 }));
    batch = [];
  };
  for (const row of rows) {
    batch.push(columns.map((column) => row[column]));
    if (batch.length === CSV_BATCH_ROWS) flush();
  }
  if (batch.length > 0 || parts.length === 0) flush();
  return parts.join("");
}

/**
 * The result files of a run, as name to text. Deterministic for a given scenario and seed.
 * summary.json is checked against its schema (sim/results/schema.ts) before it is written.
 */
export function renderResults(
  result: ScenarioRun,
  facts: Omit<RunFacts, "timing">,
): Map<string, string> {
  const { scenario, workload, runs } = result;
  const files = new Map<string, string>();
  const summary: Summary = {
    scenario: scenario.name,
    seed: scenario.seed,
    durationSeconds: scenario.durationSeconds,
    strategies: Object.fromEntries(runs.map((run) => [run.entry.name, run.summary])),
  };
  checkBeforeWriting(summarySchema, "summary.json", summary);
  files.set("summary.json", `${JSON.stringify(summary, null, 2)}\n`);
  const manifest: Omit<Manifest, "outputs"> = {
    seed: scenario.seed,
    version: facts.version,
    gitCommit: facts.gitCommit,
    scenario,
    strategies: runs.map((run) => run.entry.name),
    sessions: workload.size,
    // Without the file name, so that the manifest does not depend on how the scenario was
    // named on the command line.
    warnings: (facts.warnings ?? []).map((w) => ({
      field: w.field,
      line: w.line ?? null,
      problem: w.problem,
    })),
  };

  function* peerRows(): Generator<PeerRow> {
    for (const run of runs) {
      const q = run.qos;
      const t = run.transport;
      for (let i = 0; i < workload.size; i++) {
        const peer = i + 1;
        if (q.joinMicros[peer] < 0) continue;
        const started = q.startupMicros[peer] >= 0;
        // A session that never started is owed chunks it never got: missed, as in the summary.
        const chunks = sessionChunks(q, peer, run.accounting);
        const due = chunks.onTime + chunks.late + chunks.missed;
        yield {
          strategy: run.entry.name,
          peer: String(peer),
          class: workload.classes[workload.classIndex[i]].name,
          uploadBitsPerSecond: workload.uploadBitsPerSecond[peer],
          joinSeconds: tidy(q.joinMicros[peer] / 1e6),
          leaveSeconds: q.leaveMicros[peer] >= 0 ? tidy(q.leaveMicros[peer] / 1e6) : null,
          abrupt: workload.abrupt[i] === 1,
          startupLatencySeconds: started ? tidy(q.startupMicros[peer] / 1e6) : null,
          playingSeconds: tidy(q.playingMicros[peer] / 1e6),
          stalledSeconds: tidy(q.stalledMicros[peer] / 1e6),
          stalls: q.stalls[peer],
          chunksOnTime: chunks.onTime,
          chunksLate: chunks.late,
          chunksMissed: chunks.missed,
          continuityIndex: due > 0 ? tidy(chunks.onTime / due) : null,
          meanLagSeconds: started ? tidy(sessionLagMicros(q, peer) / 1e6) : null,
          rejoins: q.rejoins[peer],
          uploadedBytes: t.uploadedBytes[peer],
          downloadedBytes: t.downloadedBytes[peer],
        };
      }
    }
  }
  files.set("peers.csv", csvFile(PEER_COLUMNS, peerRows()));

  const extraColumns = [
    ...new Set(runs.flatMap((run) => run.timeseries.flatMap((row) => Object.keys(row.extra)))),
  ].sort();
  const seriesRows: Record<string, unknown>[] = [];
  for (const run of runs) {
    for (const row of run.timeseries) {
      const cells: TimeseriesCells = {
        strategy: run.entry.name,
        timeSeconds: tidy(row.timeSeconds),
        population: row.population,
        starting: row.starting,
        playing: row.playing,
        stalled: row.stalled,
        meanLagSeconds: blank(row.meanLagSeconds),
        sourceUploadBitsPerSecond: tidy(row.sourceUploadBitsPerSecond),
      };
      const extra = Object.fromEntries(extraColumns.map((c) => [c, blank(row.extra[c])]));
      seriesRows.push({ ...extra, ...cells });
    }
  }
  files.set("timeseries.csv", csvFile([...TIMESERIES_COLUMNS, ...extraColumns], seriesRows));

  const gaugeRows: GaugeCells[] = [];
  for (const run of runs) {
    for (const g of run.gauges) {
      gaugeRows.push({
        strategy: run.entry.name,
        name: g.name,
        timeSeconds: tidy(g.timeSeconds),
        peer: g.peer,
        value: tidy(g.value),
      });
    }
  }
  files.set("gauges.csv", csvFile(GAUGE_COLUMNS, gaugeRows));

  // Notable churn events for time plots: flash crowds (from the scenario) and departures of
  // relays that had children (from the strategies' gauges).
  const eventRows: EventRow[] = [];
  for (const run of runs) {
    const event = (atSeconds: number, kind: string, detail: string) =>
      eventRows.push({ strategy: run.entry.name, timeSeconds: tidy(atSeconds), kind, detail });
    for (const arrival of scenario.churn.arrivals) {
      if (arrival.type === "flash-crowd")
        event(arrival.atSeconds, "flash-crowd", String(arrival.count));
    }
    for (const exit of scenario.churn.massExits ?? [])
      event(exit.atSeconds, "mass-exit", `${tidy(exit.share * 100)}%`);
    for (const g of run.gauges) {
      if (g.name === "relayDeparture") event(g.timeSeconds, "relay-departure", String(g.value));
    }
  }
  files.set("events.csv", csvFile(EVENT_COLUMNS, eventRows));
  files.set("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);
  return files;
}

/**
 * The files with manifest.json listing, under `outputs`, the top-level entries they make: the
 * list a later run checks before it replaces the directory (see {@link foreignEntries}).
 */
function withOutputs(files: Map<string, string>): Map<string, string> {
  const text = files.get("manifest.json");
  if (text === undefined) return files;
  const outputs = [...new Set([...files.keys()].map((name) => name.split("/")[0]))].sort();
  const manifest: Manifest = { ...(JSON.parse(text) as Omit<Manifest, "outputs">), outputs };
  checkBeforeWriting(manifestSchema, "manifest.json", manifest);
  return new Map(files).set("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Writes result files to the directory `plan` names (see {@link planOutput}): everything goes
 * to a temporary sibling directory first (where `finalize`, e.g. the plots, may add more), which
 * is then swapped into place, so an interrupted run never leaves a half-written result. On
 * SIGINT or SIGTERM while writing, the temporary directory is removed before the process dies
 * of the signal.
 */
export async function writeResults(
  plan: OutputPlan,
  files: Map<string, string>,
  finalize?: (temporaryDir: string) => Promise<void>,
): Promise<void> {
  recoverStale(plan.outDir);
  const temporary = scratchName(plan.outDir, "tmp", process.pid);
  // Listen before the temporary directory exists: until a listener is added, SIGINT and SIGTERM
  // kill the process at once, and would leave it behind.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(temporary, { recursive: true, force: true });
    stopListening();
    // Die of the signal itself, as the process would have without this handler.
    process.kill(process.pid, signal);
  };
  const stopListening = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    dieIfOrphaned();
    makeTemporary(plan.outDir);
    for (const [name, text] of withOutputs(files)) {
      mkdirSync(dirname(join(temporary, name)), { recursive: true });
      writeFileSync(join(temporary, name), text);
      dieIfOrphaned();
    }
    await finalize?.(temporary);
    dieIfOrphaned();
    swapIntoPlace(temporary, plan);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  } finally {
    stopListening();
  }
}

/**
 * {@link writeResults} to `outDir`, refusing (with an {@link OutputDirectoryError}) a directory
 * that holds anything but a previous result.
 */
export async function writeResultsAtomically(
  outDir: string,
  files: Map<string, string>,
  finalize?: (temporaryDir: string) => Promise<void>,
): Promise<void> {
  await writeResults(planOutput(outDir, false), files, finalize);
}
