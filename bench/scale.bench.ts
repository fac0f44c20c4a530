/**
 * Whole-run benchmark: tree relay on the high-churn workload at growing audiences.
 *
 * For each arrival rate the scenario is run a few times; the table shows events per second of
 * simulated work, wall time per run, and the memory the run kept per peer session (heap growth
 * measured around one run after a forced collection, when `--expose-gc` is available, otherwise
 * the resident set size growth, which over-counts). Ratios between rows are what to compare.
 */
import { resolve } from "node:path";
import { Bench } from "tinybench";
import { runScenario } from "../sim/run/runScenario.ts";
import { loadScenario } from "../sim/scenario/load.ts";

const SCENARIO = resolve(import.meta.dirname, "../scenarios/high-churn.yaml");

/** Arrival rates per second: about 3,000, 15,000 and 30,000 peers online at once. */
const RATES = [10, 50, 100];

function scenarioAt(rate: number) {
  return loadScenario(SCENARIO, [
    { path: "churn.arrivals[0].rate", value: `${rate}/s` },
    { path: "strategies", value: "[{name: tree, type: tree-relay}]" },
  ]);
}

export async function run(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rows: string[] = [];
  for (const rate of RATES) {
    const scenario = scenarioAt(rate);
    let events = 0;
    let sessions = 0;
    const bench = new Bench({ iterations: 2, time: 0, warmupIterations: 0, throws: true });
    bench.add(`rate ${rate}/s`, () => {
      const result = runScenario(scenario);
      events = result.runs[0].events;
      sessions = result.workload.size;
    });
    await bench.run();
    const task = bench.tasks[0];
    const period = task.result.state === "completed" ? task.result.period : Number.NaN;
    gc?.();
    const before = gc ? process.memoryUsage().heapUsed : process.memoryUsage().rss;
    const kept = runScenario(scenario);
    const after = gc ? process.memoryUsage().heapUsed : process.memoryUsage().rss;
    const bytesPerSession = (after - before) / kept.workload.size;
    rows.push(
      [
        `${rate}/s`.padStart(6),
        String(sessions).padStart(8),
        String(events).padStart(10),
        `${((events * 1000) / period / 1e6).toFixed(2)}M`.padStart(9),
        `${(period / 1000).toFixed(1)} s`.padStart(8),
        `${Math.round(bytesPerSession)}${gc ? "" : " (rss)"}`.padStart(12),
      ].join("  "),
    );
  }
  console.log(
    ["  rate  sessions      events  events/s  wall/run  bytes/session", ...rows].join("\n"),
  );
}
