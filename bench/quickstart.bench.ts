/**
 * Quick-start benchmark: the README's first command, `npx sim run scenarios/high-churn.yaml`,
 * as a user runs it after `npm ci`: from the compiled bundle (dist/, rebuilt first so that it
 * holds the current sources), with the default worker pool (one thread per core), plots and the
 * report written as by default. Only the output directory differs (a temporary one, so that the
 * checkout's results/high-churn/ is left alone).
 *
 * Reports the workload's size (sessions, and the most viewers online at once, read from
 * timeseries.csv) and the run's wall time and CPU time (user + system over all threads, read by
 * the child at exit). The README's quick-start figures are these numbers. One run: it costs
 * about a minute of processor time, and CPU time varies little between runs on a shared
 * machine; wall time depends on how busy the other cores are.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, timedSim } from "./timedSim.ts";

const SCENARIO = "scenarios/high-churn.yaml";

/** The largest `population` of any row of timeseries.csv: viewers online at a sample time. */
function peakOnline(timeseriesCsv: string): number {
  const [header, ...rows] = timeseriesCsv.trim().split("\n");
  const column = header.split(",").indexOf("population");
  if (column < 0) throw new Error("timeseries.csv has no population column");
  return Math.max(...rows.map((row) => Number(row.split(",")[column])));
}

export async function run(): Promise<void> {
  buildBundle();
  const dir = mkdtempSync(join(tmpdir(), "sim-quickstart-bench-"));
  try {
    const out = join(dir, "high-churn");
    // Other processes take the cores and slow the run (even its CPU time, through shared
    // caches): the load average says how busy the machine was.
    const loadBefore = loadavg()[0];
    const { wallSeconds, cpuSeconds, stdout } = timedSim(["run", SCENARIO, "--out", out], {
      sources: false,
    });
    const sessions = /, (\d+) sessions\)/.exec(stdout);
    if (!sessions) throw new Error("sim run did not print its session count");
    const online = peakOnline(readFileSync(join(out, "timeseries.csv"), "utf8"));
    console.log(
      [
        `sim run ${SCENARIO} (dist/, ${availableParallelism()} worker threads, plots and report)`,
        `sessions            ${sessions[1]}`,
        `peak online         ${online}`,
        `wall time           ${wallSeconds.toFixed(1)} s`,
        `CPU time            ${cpuSeconds.toFixed(1)} s (user + system, all threads)`,
        `load average        ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after (1 min; other work on the machine)`,
      ].join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
