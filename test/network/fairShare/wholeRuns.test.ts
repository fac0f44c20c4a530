import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../sim/scenario/load.ts";
import { runScenario } from "../../support/checkedRun.ts";

/*
 * Every live strategy of the CI scenario, shortened to a minute, on the fair-share model and
 * under the invariant checker: no link carries more than its capacity, no chunk arrives before
 * it exists, bytes are conserved, and every strategy moves the stream.
 */
describe("whole runs on the fair-share model", () => {
  it("every strategy of the CI scenario streams and breaks no invariant", () => {
    const scenario = loadScenario("scenarios/ci.yaml", [
      { path: "duration", value: "1min" },
      { path: "network.model", value: "fair-share" },
    ]);
    const result = runScenario(scenario);
    expect(result.runs.map((r) => r.entry.name)).toEqual(scenario.strategies.map((s) => s.name));
    for (const run of result.runs) {
      expect(run.transport.concurrentData).toBe(true);
      expect(run.transport.counters.deliveredDataBytes, run.entry.name).toBeGreaterThan(0);
      expect(run.summary.continuityIndex, run.entry.name).toBeGreaterThan(0.3);
    }
  }, 120_000);
});
