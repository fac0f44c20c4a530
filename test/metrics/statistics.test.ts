import { describe, expect, it } from "vitest";
import {
  distribution,
  incompleteBeta,
  interval95,
  mean,
  quantileSorted,
  sortedFinite,
  studentTCdf,
  studentTQuantile,
} from "../../sim/metrics/statistics.ts";

describe("quantileSorted (R type 7)", () => {
  it("interpolates linearly between order statistics at h = (n - 1) p", () => {
    // 1, 2, 3, 4: h = 3p. p50: h = 1.5 -> 2.5; p95: h = 2.85 -> 3.85; p99: 3.97; p25: 1.75.
    const values = [1, 2, 3, 4];
    expect(quantileSorted(values, 0.5)).toBe(2.5);
    expect(quantileSorted(values, 0.95)).toBeCloseTo(3.85, 12);
    expect(quantileSorted(values, 0.99)).toBeCloseTo(3.97, 12);
    expect(quantileSorted(values, 0.25)).toBe(1.75);
    expect(quantileSorted(values, 0)).toBe(1);
    expect(quantileSorted(values, 1)).toBe(4);
    expect(quantileSorted([3], 0.99)).toBe(3);
    expect(quantileSorted([], 0.5)).toBeNull();
  });

  it("treats +Infinity as a censored value: reached only on a finite order statistic", () => {
    const inf = Number.POSITIVE_INFINITY;
    // 1, 5, inf: h = 2p. p50 lands on 5; p51 interpolates towards inf.
    expect(quantileSorted([1, 5, inf], 0.5)).toBe(5);
    expect(quantileSorted([1, 5, inf], 0.51)).toBe(inf);
    expect(quantileSorted([1, inf, inf], 0.75)).toBe(inf);
    expect(quantileSorted([1, inf, inf], 1)).toBe(inf);
  });

  it("differs from the nearest rank the summary used before (95 of 1..100 at p95)", () => {
    // Nearest rank of 1..100 at p95 is the 95th value, 95; type 7 gives 95.05.
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileSorted(values, 0.95)).toBeCloseTo(95.05, 12);
  });
});

describe("distribution", () => {
  it("uses type-7 quantiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted
    const d = distribution(values);
    // h = 99p: p50 = 50.5, p95 = 95.05, p99 = 99.01.
    expect(d.mean).toBe(50.5);
    expect(d.p50).toBe(50.5);
    expect(d.p95).toBeCloseTo(95.05, 12);
    expect(d.p99).toBeCloseTo(99.01, 12);
    expect(d.max).toBe(100);
    expect(mean([1, 2, 6])).toBe(3);
  });

  it("reports statistics that fall among +Infinity samples as null (not reached)", () => {
    const inf = Number.POSITIVE_INFINITY;
    // 2, 4, 6, inf: p50 at h = 1.5 -> 5; p95 at h = 2.85 interpolates towards inf.
    expect(distribution([inf, 6, 2, 4])).toEqual({
      mean: null,
      p50: 5,
      p95: null,
      p99: null,
      max: null,
    });
  });

  it("is all null without samples", () => {
    expect(distribution([])).toEqual({ mean: null, p50: null, p95: null, p99: null, max: null });
  });
});

describe("mean and sortedFinite", () => {
  it("mean is the sum in order over the count: null without values, +Infinity with one", () => {
    expect(mean([0.1, 0.2, 0.3])).toBe((0.1 + 0.2 + 0.3) / 3);
    expect(mean(Float64Array.of(2, 4))).toBe(3);
    expect(mean([])).toBeNull();
    expect(mean([1, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
  });

  it("sortedFinite keeps the finite values, ascending (numerically, not as text)", () => {
    expect(
      sortedFinite([10, null, 9, Number.POSITIVE_INFINITY, undefined, Number.NaN, -1]),
    ).toEqual([-1, 9, 10]);
  });
});

describe("Student t", () => {
  it("quantiles match the published table (t_0.975 for df 1, 2, 4, 9, 30, 1000)", () => {
    // Values from any t table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [30, 2.042],
      [1000, 1.962],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it("one degree of freedom is the Cauchy distribution: P(T <= t) = 1/2 + atan(t)/pi", () => {
    for (const t of [-3, -0.5, 0, 0.7, 2, 10])
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
  });

  it("the incomplete beta function has I_x(1, 1) = x and I_x(a, b) = 1 - I_(1-x)(b, a)", () => {
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(incompleteBeta(0.2, 2.5, 4)).toBeCloseTo(1 - incompleteBeta(0.8, 4, 2.5), 14);
  });

  it("quantiles are symmetric and invert the CDF", () => {
    expect(studentTQuantile(0.025, 7)).toBeCloseTo(-studentTQuantile(0.975, 7), 12);
    expect(studentTCdf(studentTQuantile(0.9, 3.5), 3.5)).toBeCloseTo(0.9, 12);
  });
});

describe("interval95", () => {
  it("gives mean and t_0.975,n-1 * s / sqrt(n), worked by hand for 1..5", () => {
    // mean 3, s^2 = 10/4 = 2.5, t_0.975,4 = 2.7764451; 2.7764451 * sqrt(2.5 / 5) = 1.9632432.
    const i = interval95([1, 2, 3, 4, 5]);
    expect(i.mean).toBe(3);
    expect(i.n).toBe(5);
    expect(i.halfWidth95).toBeCloseTo(1.9632432, 6);
  });

  it("leaves out undefined values and says how many remained", () => {
    expect(interval95([2, null, 4])).toEqual({
      mean: 3,
      halfWidth95: expect.closeTo(12.7062047 * Math.sqrt(2 / 2), 5),
      n: 2,
    });
    expect(interval95([7, null])).toEqual({ mean: 7, halfWidth95: null, n: 1 });
    expect(interval95([null])).toEqual({ mean: null, halfWidth95: null, n: 0 });
  });
});
