/*
 * Figure helpers. Quantiles and means come from the project's one statistics module,
 * sim/metrics/stats.ts, which summary.json uses too; confidence intervals from
 * sim/experiments/statistics.ts, which summary.json's replication intervals use.
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
