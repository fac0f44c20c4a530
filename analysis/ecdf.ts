/*
 * The empirical CDF as the figures draw it. Its statistics (quantiles, means) come from the
 * project's one statistics module, sim/metrics/statistics.ts, which summary.json uses too.
 */

/**
 * Corner points of an empirical CDF for d3's step-after curve: starts at (x0, 0), rises by
 * 1/total at every sample (ties merged), and runs on to `xEnd` at samples/total. `total`
 * (default: the number of samples) counts the population the CDF is over, including members
 * without a sample, so the curve levels off below 1 when some have none.
 */
export function ecdfPoints(
  sorted: readonly number[],
  x0: number,
  xEnd: number,
  total: number = sorted.length,
): [number, number][] {
  if (total < sorted.length) throw new Error("ecdfPoints: total below the number of samples");
  const n = total;
  const points: [number, number][] = [[Math.min(x0, sorted[0] ?? x0), 0]];
  for (let i = 0; i < sorted.length; i++) {
    if (i + 1 < sorted.length && sorted[i + 1] === sorted[i]) continue;
    points.push([sorted[i], (i + 1) / n]);
  }
  const last = sorted[sorted.length - 1] ?? x0;
  if (xEnd > last) points.push([xEnd, n > 0 ? sorted.length / n : 0]);
  return points;
}
