import { mean as d3Mean, quantileSorted as d3QuantileSorted } from "d3";
import type { Distribution, Interval } from "../results/schema.ts";

/*
 * The project's one statistics module. summary.json (sim/metrics/summary.ts), the replication
 * intervals and paired differences (sim/experiments/), the regression gate and the figures
 * (analysis/) all take their quantiles, means and confidence intervals from here, so a median
 * printed in a table and a median read off a figure are the same number.
 *
 * Quantiles are R's type 7, computed by d3-array. Confidence intervals use Student's t, whose
 * quantile is computed, not tabulated: the t distribution's CDF is written with the regularized
 * incomplete beta function (Abramowitz and Stegun 26.7.1, evaluated by its continued fraction as
 * in Numerical Recipes 6.4) and inverted by bisection, which is exact to double precision for
 * every degree of freedom and deterministic.
 */

/**
 * The p-quantile (p in [0, 1]) of values sorted ascending: R's type 7 (linear interpolation
 * between order statistics, the default of R, NumPy and d3-array), computed by d3-array's
 * `quantileSorted`. With h = (n - 1) p, it is x[floor h] + (h - floor h)(x[floor h + 1] -
 * x[floor h]) (0-based). Values may end with +Infinity (censored samples): a quantile that
 * interpolates towards one is +Infinity, one that lands exactly on a finite order statistic is
 * that statistic. Null without values.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const q = d3QuantileSorted(sorted as unknown as number[], p);
  if (q === undefined) return null;
  if (!Number.isNaN(q)) return q;
  // d3 computes x0 + (x1 - x0) * fraction, which is NaN when x1 is +Infinity and the fraction
  // is 0 (Infinity * 0) or when both are +Infinity (Infinity - Infinity).
  const h = (n - 1) * Math.min(1, Math.max(0, p));
  const i0 = Math.floor(h);
  return h === i0 ? sorted[i0] : Number.POSITIVE_INFINITY;
}

/**
 * Arithmetic mean, computed by d3-array's `mean` (the sum in order, divided by the count); null
 * without values; +Infinity when any value is.
 */
export function mean(values: Iterable<number>): number | null {
  return d3Mean(values) ?? null;
}

/**
 * Summarises samples as mean, p50, p95, p99 (type-7 quantiles, see {@link quantileSorted}) and
 * max. Samples may include +Infinity (a censored value: never reached); any statistic that is
 * then infinite is reported as null, meaning "not reached".
 */
export function distribution(samples: ArrayLike<number>): Distribution {
  if (samples.length === 0) return { mean: null, p50: null, p95: null, p99: null, max: null };
  const sorted = Float64Array.from(samples).sort();
  const finite = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);
  return {
    mean: finite(mean(sorted)),
    p50: finite(quantileSorted(sorted, 0.5)),
    p95: finite(quantileSorted(sorted, 0.95)),
    p99: finite(quantileSorted(sorted, 0.99)),
    max: finite(sorted[sorted.length - 1]),
  };
}

/** The finite values of `values` (nulls, NaN and infinities left out), sorted ascending. */
export function sortedFinite(values: Iterable<number | null | undefined>): number[] {
  const out: number[] = [];
  for (const v of values) if (v !== null && v !== undefined && Number.isFinite(v)) out.push(v);
  return out.sort((a, b) => a - b);
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to about 1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return h;
}

/** Regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  // The continued fraction converges fast for x below (a + 1) / (a + b + 2); use the symmetry
  // I_x(a, b) = 1 - I_(1-x)(b, a) above it.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The `p` quantile of Student's t with `df` degrees of freedom (df may be fractional, >= 1). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`quantile probability ${p} must lie in (0, 1)`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let low = 0;
  let high = 1;
  while (studentTCdf(high, df) < p) high *= 2;
  // 200 halvings reach the resolution of a double whatever the bracket.
  for (let i = 0; i < 200 && high - low > 1e-15 * high; i++) {
    const mid = (low + high) / 2;
    if (studentTCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * Sample mean and sample variance (n - 1 denominator) of `values`, in two passes (the mean, then
 * the squared deviations). Not d3-array's `variance`: that one updates mean and variance per
 * value (Welford), whose last bits differ, and the intervals in summary.json and the gate's
 * baselines are compared byte for byte.
 */
export function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const n = values.length;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, variance: n > 1 ? squares / (n - 1) : 0 };
}

/**
 * The mean of the values that are not null, with the half-width of its 95% Student-t interval
 * (t_{0.975, n-1} * s / sqrt(n)). Null values (a metric undefined in a replication, e.g. the
 * startup latency when nobody started) are left out and `n` says how many remained.
 */
export function interval95(values: readonly (number | null)[]): Interval {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = present.length;
  if (n === 0) return { mean: null, halfWidth95: null, n };
  const { mean, variance } = meanAndVariance(present);
  if (n < 2) return { mean, halfWidth95: null, n };
  return { mean, halfWidth95: studentTQuantile(0.975, n - 1) * Math.sqrt(variance / n), n };
}
