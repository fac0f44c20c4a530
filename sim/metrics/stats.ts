import { quantileSorted as d3QuantileSorted } from "d3";
import type { Distribution } from "../results/schema.ts";

/*
 * The project's one statistics module: summary.json (sim/metrics/summary.ts) and the figures
 * (analysis/) both take their quantiles and means from here, so a median printed in a table and
 * a median read off a figure are the same number.
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

/** Arithmetic mean; null without values; +Infinity when any value is. */
export function mean(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
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

/** A growable array of numbers backed by a Float64Array. */
export class SampleList {
  private data = new Float64Array(256);
  private count = 0;

  /** Number of samples. */
  get length(): number {
    return this.count;
  }

  /** Appends one sample. */
  push(value: number): void {
    if (this.count === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.count++] = value;
  }

  /** The samples as a new array. */
  values(): Float64Array {
    return this.data.slice(0, this.count);
  }
}
