/** A summary of a distribution (same units as the samples). All null when there were none. */
export interface Distribution {
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentile of sorted values (p in [0, 100]). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Summarises samples as mean, p50, p95, p99 and max (nearest-rank percentiles). */
export function distribution(samples: ArrayLike<number>): Distribution {
  if (samples.length === 0) return { mean: null, p50: null, p95: null, p99: null, max: null };
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
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
