import { describe, expect, it } from "vitest";
import {
  incompleteBeta,
  interval95,
  studentTCdf,
  studentTQuantile,
} from "../../sim/experiments/statistics.ts";

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
