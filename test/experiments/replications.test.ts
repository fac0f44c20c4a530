import { describe, expect, it } from "vitest";
import { flattenSummary, type MetricValues } from "../../sim/experiments/metrics.ts";
import {
  confidence,
  pairedDifferences,
  replicationSeed,
} from "../../sim/experiments/replications.ts";

describe("replication seeds", () => {
  it("replication 0 is the scenario's own seed; the others are distinct and stable", () => {
    expect(replicationSeed(42, 0)).toBe(42);
    const seeds = Array.from({ length: 50 }, (_, i) => replicationSeed(42, i));
    expect(new Set(seeds).size).toBe(50);
    expect(replicationSeed(42, 7)).toBe(seeds[7]);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    expect(replicationSeed(43, 1)).not.toBe(replicationSeed(42, 1));
  });
});

describe("flattenSummary", () => {
  it("names distribution statistics by path, keeps nulls and skips strings", () => {
    const flat = flattenSummary({
      type: "tree-relay",
      peers: 10,
      startupLatencySeconds: { mean: 1.5, p50: null },
      stallRatio: 0.25,
    });
    expect(flat).toEqual({
      peers: 10,
      "startupLatencySeconds.mean": 1.5,
      "startupLatencySeconds.p50": null,
      stallRatio: 0.25,
    });
  });
});

describe("paired differences", () => {
  // Three replications; b trails a by 1, 1 and 0.5. Worked by hand: differences mean 5/6,
  // s = sqrt(1/12) = 0.2886751, t_0.975,2 = 4.3026527, half-width 4.3026527 * 0.2886751 / sqrt(3)
  // = 0.7171088, so the difference is significant although a's own interval (12 ± 4.968) dwarfs
  // it: the workload's variation cancels in a - b.
  const a = [{ x: 10 }, { x: 12 }, { x: 14 }];
  const b = [{ x: 9 }, { x: 11 }, { x: 13.5 }];
  const values = a.map((row, r) => [row, b[r]]);

  it("is the mean and Student-t interval of a - b, paired by replication", () => {
    const [d] = pairedDifferences(["a", "b"], values);
    expect(d.a).toBe("a");
    expect(d.b).toBe("b");
    expect(d.metric).toBe("x");
    expect(d.n).toBe(3);
    expect(d.mean).toBeCloseTo(5 / 6, 8);
    expect(d.halfWidth95).toBeCloseTo(0.7171088, 6);
    expect(d.significant).toBe(true);
    const unpaired = confidence(a).x;
    expect(unpaired.halfWidth95).toBeCloseTo((4.3026527 * 2) / Math.sqrt(3), 5);
    expect(unpaired.halfWidth95!).toBeGreaterThan(6 * d.halfWidth95!);
  });

  it("is not significant when the interval contains zero", () => {
    const noisy = [
      [{ x: 1 }, { x: 0 }],
      [{ x: 0 }, { x: 1 }],
      [{ x: 2 }, { x: 1.5 }],
    ];
    const [d] = pairedDifferences(["a", "b"], noisy);
    expect(Math.abs(d.mean!)).toBeLessThan(d.halfWidth95!);
    expect(d.significant).toBe(false);
  });

  it("covers every pair in scenario order and only metrics both strategies have", () => {
    const rows: MetricValues[][] = [
      [{ x: 1, only: 3 }, { x: 2 }, { x: 4 }],
      [{ x: 2, only: 3 }, { x: 3 }, { x: 4 }],
    ];
    const pairs = pairedDifferences(["p", "q", "r"], rows).map((d) => `${d.a}-${d.b}:${d.metric}`);
    expect(pairs).toEqual(["p-q:x", "p-r:x", "q-r:x"]);
  });
});
