import { mean } from "../sim/metrics/stats.ts";

/*
 * Figure helpers. Quantiles and means come from the project's one statistics module,
 * sim/metrics/stats.ts, which summary.json uses too.
 */

/** Finite values sorted ascending. */
export function sortedFinite(values: Iterable<number | null | undefined>): number[] {
  const out: number[] = [];
  for (const v of values) if (v !== null && v !== undefined && Number.isFinite(v)) out.push(v);
  return out.sort((a, b) => a - b);
}

/**
 * Corner points of an empirical CDF for d3's step-after curve: starts at (x0, 0), rises by 1/n
 * at every sample (ties merged), and runs on at 1 to `xEnd`.
 */
export function ecdfPoints(
  sorted: readonly number[],
  x0: number,
  xEnd: number,
): [number, number][] {
  const n = sorted.length;
  const points: [number, number][] = [[Math.min(x0, sorted[0] ?? x0), 0]];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
    points.push([sorted[i], (i + 1) / n]);
  }
  const last = sorted[n - 1] ?? x0;
  if (xEnd > last) points.push([xEnd, n > 0 ? 1 : 0]);
  return points;
}

/** Sample standard deviation (n − 1); null below two values. */
export function sampleStd(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null || values.length < 2) return null;
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

// Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom.
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** Half-width of the 95 % confidence interval of the mean; null below two values. */
export function ci95HalfWidth(values: readonly number[]): number | null {
  const sd = sampleStd(values);
  if (sd === null) return null;
  const df = values.length - 1;
  const t = df <= T95.length ? T95[df - 1] : 1.96;
  return (t * sd) / Math.sqrt(values.length);
}
