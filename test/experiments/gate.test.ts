import { describe, expect, it } from "vitest";
import {
  baselineProblem,
  compareWithBaseline,
  GATE_METRICS,
  welchLimit,
} from "../../sim/experiments/gate.ts";
import { studentTQuantile } from "../../sim/metrics/statistics.ts";
import type { Baseline } from "../../sim/results/schema.ts";

function baseline(values: Record<string, (number | null)[]>): Baseline {
  return {
    format: "peercast-sim baseline 1",
    scenario: "s",
    seed: 1,
    replications: 3,
    strategies: { tree: { type: "tree-relay", metrics: values } },
  };
}

describe("Welch limit", () => {
  it("with equal spreads and sizes is t_0.99,2n-2 * sqrt(2 s^2 / n) (worked by hand)", () => {
    // s^2 = 1 on both sides, n = 3: df = 4, t_0.99,4 = 3.747 (t table), sqrt(2/3) = 0.81650.
    expect(welchLimit([1, 2, 3], [11, 12, 13])).toBeCloseTo(3.747 * 0.8165, 2);
  });

  it("uses Welch-Satterthwaite degrees of freedom for unequal spreads", () => {
    // v_b = 1/3, v_n = 4/3: se = sqrt(5/3); df = (5/3)^2 / ((1/3)^2/2 + (4/3)^2/2) = 50/17.
    const limit = welchLimit([1, 2, 3], [2, 4, 6])!;
    expect(limit).toBeCloseTo(studentTQuantile(0.99, 50 / 17) * Math.sqrt(5 / 3), 10);
    expect(limit).toBeGreaterThan(studentTQuantile(0.99, 4) * Math.sqrt(5 / 3));
  });

  it("is zero without spread and undefined with fewer than two values", () => {
    expect(welchLimit([0, 0, 0], [0, 0, 0])).toBe(0);
    expect(welchLimit([1], [1, 2])).toBeNull();
  });
});

describe("compareWithBaseline", () => {
  it("says identical for the same values, REGRESSION beyond the limit, better below it", () => {
    const before = baseline({
      stallRatio: [0.1, 0.2, 0.3],
      stallsPerMinute: [1, 2, 3],
      neverStartedShare: [0.1, 0.2, 0.3],
    });
    const after = baseline({
      stallRatio: [0.1, 0.2, 0.3],
      stallsPerMinute: [11, 12, 13],
      neverStartedShare: [0.2, 0.25, 0.3],
    });
    const rows = compareWithBaseline(before, after);
    const verdict = Object.fromEntries(rows.map((r) => [r.metric, r.verdict]));
    expect(verdict).toEqual({
      stallsPerMinute: "REGRESSION",
      stallRatio: "identical",
      neverStartedShare: "ok",
    });
    const stalls = rows.find((r) => r.metric === "stallsPerMinute")!;
    expect(stalls).toMatchObject({ strategy: "tree", baseline: 2, now: 12, change: 10 });
    const better = compareWithBaseline(after, before).find((r) => r.metric === "stallsPerMinute")!;
    expect(better.verdict).toBe("better");
    // Rows follow the gate's metric order.
    expect(rows.map((r) => r.metric)).toEqual(
      GATE_METRICS.filter((m) => m in before.strategies.tree.metrics),
    );
  });
});

describe("baselineProblem", () => {
  it("accepts a baseline and names what is wrong with anything else", () => {
    expect(baselineProblem(baseline({ stallRatio: [1, 2, 3] }))).toBeUndefined();
    expect(baselineProblem([])).toBe("expected an object, got a list");
    expect(baselineProblem({ ...baseline({}), format: "other" })).toBe(
      'format: expected "peercast-sim baseline 1", got "other"',
    );
    expect(baselineProblem({ ...baseline({}), replications: 1 })).toBe(
      "replications: expected at least 2, got 1",
    );
    expect(baselineProblem(baseline({ stallRatio: [1, 2] }))).toBe(
      "strategies.tree.metrics.stallRatio: expected 3 numbers",
    );
  });
});
