import { describe, expect, it } from "vitest";
import { createStream, hashUnit, RandomStreams } from "../../sim/engine/index.ts";

function draw(stream: { next(): number }, n: number): number[] {
  return Array.from({ length: n }, () => stream.next());
}

describe("RandomStreams", () => {
  it("random streams with the same root seed and name give the same sequence", () => {
    const a = draw(new RandomStreams(42).stream("workload/arrivals"), 1_000);
    const b = draw(new RandomStreams(42).stream("workload/arrivals"), 1_000);
    expect(a).toEqual(b);
    // ...and it is a real sequence, not a constant.
    expect(new Set(a).size).toBe(1_000);
  });

  it("random streams differ across names and across root seeds", () => {
    const base = draw(new RandomStreams(42).stream("workload/arrivals"), 100);
    const otherName = draw(new RandomStreams(42).stream("workload/departures"), 100);
    const otherSeed = draw(new RandomStreams(43).stream("workload/arrivals"), 100);
    for (const other of [otherName, otherSeed]) {
      const same = base.filter((x, k) => x === other[k]).length;
      expect(same).toBe(0);
    }
  });

  it("random stream draws do not depend on other streams being created or drawn (common random numbers)", () => {
    const reference = draw(new RandomStreams(7).stream("workload/arrivals"), 500);

    const streams = new RandomStreams(7);
    const noise1 = streams.stream("strategy/tree");
    draw(noise1, 1_234);
    const arrivals = streams.stream("workload/arrivals");
    const got: number[] = [];
    for (let k = 0; k < 500; k++) {
      got.push(arrivals.next());
      // Interleave draws from other streams, and create new ones mid-way.
      noise1.next();
      if (k === 250) draw(streams.stream("strategy/mesh"), 99);
    }
    expect(got).toEqual(reference);
  });

  it("random streams refuse to hand out the same name twice", () => {
    const streams = new RandomStreams(1);
    streams.stream("workload/arrivals");
    expect(() => streams.stream("workload/arrivals")).toThrow(
      "random stream 'workload/arrivals' was already created; streams must not be shared",
    );
    // Other names and other roots are unaffected.
    expect(() => streams.stream("workload/sessions")).not.toThrow();
    expect(() => new RandomStreams(1).stream("workload/arrivals")).not.toThrow();
  });

  it("random next() is in [0, 1) with mean near 1/2", () => {
    const xs = draw(createStream("next-range"), 100_000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });

  it("random int(n) returns integers in [0, n) with every value about equally often", () => {
    const s = createStream("int-range");
    for (const n of [1, 2, 7, 1000]) {
      const draws = 20_000 * Math.min(n, 7);
      const counts = new Map<number, number>();
      for (let k = 0; k < draws; k++) {
        const v = s.int(n);
        if (!Number.isInteger(v) || v < 0 || v >= n) throw new Error(`int(${n}) gave ${v}`);
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      if (n <= 7) {
        expect(counts.size).toBe(n); // every value is hit
        const p = 1 / n;
        const sigma = Math.sqrt(draws * p * (1 - p)) || 1;
        for (const c of counts.values()) expect(Math.abs(c - draws * p)).toBeLessThan(5 * sigma);
      } else {
        expect(counts.size).toBeGreaterThan(990);
      }
    }
  });
});

describe("hashUnit", () => {
  /** 100,489 (i, j) pairs on a 317 x 317 grid. */
  function grid(salt: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < 317; i++) for (let j = 0; j < 317; j++) out.push(hashUnit(salt, i, j));
    return out;
  }

  it("hashUnit is deterministic and depends on every argument", () => {
    expect(hashUnit(3, 10, 20)).toBe(hashUnit(3, 10, 20));
    const v = hashUnit(3, 10, 20);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(1);
    expect(hashUnit(4, 10, 20)).not.toBe(v);
    expect(hashUnit(3, 11, 20)).not.toBe(v);
    expect(hashUnit(3, 10, 21)).not.toBe(v);
    expect(hashUnit(3, 20, 10)).not.toBe(v);
  });

  it("hashUnit is roughly uniform over an id grid (mean, bucket counts, chi-square)", () => {
    const xs = grid(12345);
    const n = xs.length;
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);

    const buckets = 100;
    const counts = new Array<number>(buckets).fill(0);
    for (const x of xs) counts[Math.floor(x * buckets)]++;
    const expected = n / buckets;
    const sigma = Math.sqrt(n * (1 / buckets) * (1 - 1 / buckets));
    let chi2 = 0;
    for (const c of counts) {
      expect(Math.abs(c - expected)).toBeLessThan(5 * sigma);
      chi2 += (c - expected) ** 2 / expected;
    }
    // 99 degrees of freedom: mean 99, sd 14; 99 + 5 sd is far in the tail.
    expect(chi2).toBeLessThan(99 + 5 * Math.sqrt(2 * 99));

    // Nearly all values distinct (a 32-bit hash expects about one collision here), so no
    // argument is being ignored.
    expect(new Set(xs).size).toBeGreaterThan(n - 10);
  });

  it("hashUnit values for neighbouring j are uncorrelated", () => {
    let sx = 0;
    let sy = 0;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    const n = 200_000;
    for (let k = 0; k < n; k++) {
      const i = k >> 9;
      const j = k & 511;
      const x = hashUnit(1, i, j);
      const y = hashUnit(1, i, j + 1);
      sx += x;
      sy += y;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
    const cov = sxy / n - (sx / n) * (sy / n);
    const r = cov / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
    expect(Math.abs(r)).toBeLessThan(5 / Math.sqrt(n));
  });

  it("hashUnit gives unrelated values for different salts, not a relabelling of ids", () => {
    // With a weak salt, hashUnit(s, i, j) equals hashUnit(0, i ^ s, j): every salt yields the
    // same set of values over a grid. Different salts must give (almost) disjoint sets.
    const seen = new Set<number>();
    let shared = 0;
    for (let salt = 0; salt < 8; salt++) {
      for (let i = 0; i < 64; i++) {
        for (let j = 0; j < 64; j++) {
          const v = hashUnit(salt, i, j);
          if (seen.has(v)) shared++;
          seen.add(v);
        }
      }
    }
    expect(shared).toBeLessThan(5);
  });
});
