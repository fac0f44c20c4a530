import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "../../sim/experiments/pool.ts";
import { addReplicationFiles } from "../../sim/experiments/resultFiles.ts";
import { runReplicated } from "../../sim/experiments/runReplicated.ts";
import { interval95 } from "../../sim/metrics/statistics.ts";
import { renderResults } from "../../sim/run/output.ts";
import { runScenario } from "../../sim/run/runScenario.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import { TINY } from "./helpers.ts";

const FACTS = { version: "test", gitCommit: null };
const scenario = parseScenario(TINY, "tiny.yaml");
const pools = [createPool(0), createPool(2)];

afterAll(async () => {
  for (const pool of pools) await pool.close();
});

async function files(poolIndex: number, replications: number) {
  const { run, replicated } = await runReplicated(scenario, pools[poolIndex], { replications });
  const out = renderResults(run, FACTS);
  addReplicationFiles(out, replicated);
  return { out, replicated };
}

describe("replicated runs", () => {
  it("give byte-identical files on worker threads and in this thread", async () => {
    const [inThread, onWorkers] = await Promise.all([files(0, 3), files(1, 3)]);
    expect([...onWorkers.out.keys()].sort()).toEqual([...inThread.out.keys()].sort());
    for (const [name, text] of inThread.out) expect(onWorkers.out.get(name), name).toBe(text);
    expect(inThread.out.has("runs.csv")).toBe(true);
  });

  it("replication 0 is the plain run, whose files stay as they were", async () => {
    const { out } = await files(1, 1);
    const plain = renderResults(runScenario(scenario), FACTS);
    for (const name of ["summary.json", "peers.csv", "timeseries.csv", "gauges.csv"])
      expect(out.get(name), name).toBe(plain.get(name));
    expect(out.has("runs.csv")).toBe(false);
    const csv = out.get("summary.csv")!.split("\n");
    expect(csv[0]).toBe("strategy,metric,statistic,value");
    const peers = JSON.parse(plain.get("summary.json")!).strategies.cs.peers;
    expect(csv).toContain(`cs,peers,value,${peers}`);
  });

  it("summary.json gains per-metric intervals over the replications and paired differences", async () => {
    const { out, replicated } = await files(1, 4);
    const summary = JSON.parse(out.get("summary.json")!);
    expect(summary.replications).toBe(4);
    expect(summary.seeds[0]).toBe(5);
    const tree = summary.strategies.tree;
    expect(tree.replications).toBe(4);
    // The interval is the Student-t interval of the four replications' own values.
    const ratios = replicated.summaries.map((row) => row[1].stallRatio);
    expect(new Set(ratios).size).toBeGreaterThan(1);
    const expected = interval95(ratios);
    expect(tree.confidence.stallRatio.mean).toBeCloseTo(expected.mean!, 8);
    expect(tree.confidence.stallRatio.halfWidth95).toBeCloseTo(expected.halfWidth95!, 8);
    expect(tree.confidence.stallRatio.n).toBe(4);
    expect(tree.confidence["startupLatencySeconds.p95"].n).toBe(4);
    const pair = summary.pairedDifferences.find(
      (d: { metric: string }) => d.metric === "stallRatio",
    );
    expect(pair).toMatchObject({ a: "cs", b: "tree", n: 4 });
    const diffs = replicated.summaries.map((row) => row[0].stallRatio - row[1].stallRatio);
    expect(pair.mean).toBeCloseTo(interval95(diffs).mean!, 8);
    const runs = out.get("runs.csv")!.trim().split("\n");
    expect(runs).toHaveLength(1 + 4 * 2);
    expect(runs[0].startsWith("replication,seed,strategy,peers,")).toBe(true);
  });
});
