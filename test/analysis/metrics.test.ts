import { describe, expect, it } from "vitest";
import { flattenMetrics, metricLabel, metricNames, metricValue } from "../../analysis/metrics.ts";
import { loadFixtures } from "./helpers.ts";

describe("summary metrics", () => {
  it("flattens distributions into .mean/.p50/.p95/.p99/.max in file order", async () => {
    const { a } = await loadFixtures();
    const flat = flattenMetrics(a.summary.tree);
    expect(flat.slice(0, 7).map(([k]) => k)).toEqual([
      "peers",
      "startupLatencySeconds.mean",
      "startupLatencySeconds.p50",
      "startupLatencySeconds.p95",
      "startupLatencySeconds.p99",
      "startupLatencySeconds.max",
      "stallsPerMinute",
    ]);
    expect(metricValue(a, "tree", "startupLatencySeconds.p95")).toBe(
      a.summary.tree.startupLatencySeconds.p95,
    );
    expect(metricValue(a, "tree", "nothing")).toBeNull();
    expect(metricValue(a, "nobody", "peers")).toBeNull();
    // treeDepth is only in the tree entry, and still listed once for the whole run
    expect(metricNames([a]).filter((n) => n === "treeDepth.p50")).toHaveLength(1);
    expect(metricNames([a], "swarm")).not.toContain("treeDepth.p50");
  });

  it("labels metrics with units", () => {
    expect(metricLabel("startupLatencySeconds.p95")).toBe("startup latency p95 (s)");
    expect(metricLabel("stallsPerMinute")).toBe("stalls per minute");
    expect(metricLabel("treeDepth.mean")).toBe("tree depth mean");
    expect(metricLabel("repairDelaySeconds.max")).toBe("repair delay max (s)");
  });
});
