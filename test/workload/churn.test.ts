import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createStream } from "../../sim/engine/random.ts";
import { DEFAULT_PEER_CLASSES, type PeerClass } from "../../sim/network/peerClasses.ts";
import { loadScenario } from "../../sim/scenario/load.ts";
import { type ArrivalOptions, TraceTable } from "../../sim/workload/arrivals.ts";
import {
  gamma,
  normalCdf,
  type SessionLengthOptions,
  sampleSessionSeconds,
  sessionSurvival,
} from "../../sim/workload/sessionLength.ts";
import { generateWorkload, type Workload } from "../../sim/workload/workload.ts";

const fixtures = resolve(import.meta.dirname, "../scenario/fixtures");

function workload(
  arrivals: ArrivalOptions[],
  session: SessionLengthOptions,
  options: { seed?: number; durationSeconds?: number; classes?: readonly PeerClass[] } = {},
): Workload {
  return generateWorkload(
    {
      seed: options.seed ?? 1,
      durationSeconds: options.durationSeconds ?? 1e6,
      churn: { arrivals, session, abruptShare: 0.5, detectionDelaySeconds: 5 },
      classes: options.classes ?? DEFAULT_PEER_CLASSES,
      latency: { model: "constant", oneWaySeconds: 0.01 },
    },
    10e6,
  );
}

const poisson = (ratePerSecond: number, untilSeconds: number): ArrivalOptions => ({
  type: "poisson",
  ratePerSecond,
  fromSeconds: 0,
  untilSeconds,
});

/** Time-averaged number of sessions online over [from, to] seconds. */
function meanPopulation(w: Workload, from: number, to: number): number {
  const a = from * 1e6;
  const b = to * 1e6;
  let area = 0;
  for (let i = 0; i < w.size; i++) {
    const overlap = Math.min(w.leaveMicros[i], b) - Math.max(w.joinMicros[i], a);
    if (overlap > 0) area += overlap;
  }
  return area / (b - a);
}

/** Sessions online at time t seconds (joined at or before t, leaving after t). */
function onlineAt(w: Workload, t: number): number {
  const micros = t * 1e6;
  let count = 0;
  for (let i = 0; i < w.size; i++) {
    if (w.joinMicros[i] <= micros && w.leaveMicros[i] > micros) count++;
  }
  return count;
}

describe("population under churn (M/G/infinity, Little's law)", () => {
  // lambda = 10/s, E[S] = 100 s: lambda E[S] = 1000 online. The time average over a window T
  // has variance about lambda E[S^2] / T (the integral of the M/G/inf autocovariance), so over
  // T = 10 000 s its relative standard deviation is sqrt(E[S^2] / (lambda E[S]^2 T)): 0.45% for
  // exponential sessions (E[S^2] = 2 E[S]^2) and 0.42% for Pareto 2.5 (E[S^2] = 1.8 E[S]^2).
  // 3% is more than six standard deviations. The warm-up of 2000 s (20 mean sessions) leaves a
  // transient bias below 0.3% (Pareto: lambda * integral of P(S > u) beyond 2000 s).
  const rate = 10;
  const mean = 100;
  const warmUp = 2000;
  const window = 10_000;

  it.each<[string, SessionLengthOptions]>([
    ["exponential", { distribution: "exponential", meanSeconds: mean }],
    ["pareto (shape 2.5)", { distribution: "pareto", meanSeconds: mean, shape: 2.5 }],
  ])("the mean population with %s sessions is rate times mean session", (_name, session) => {
    const w = workload([poisson(rate, warmUp + window)], session);
    const population = meanPopulation(w, warmUp, warmUp + window);
    expect(Math.abs(population / (rate * mean) - 1)).toBeLessThan(0.03);
  });

  it("starting empty, the mean population with exponential sessions is (lambda/mu)(1 - e^-mu t)", () => {
    // N(t) is Poisson with mean m(t) (M/G/inf from empty), so the average over K seeds has
    // standard deviation sqrt(m / K); each check allows four of them.
    const lambda = 10;
    const mu = 1 / 100;
    const times = [25, 50, 100, 200, 500];
    const seeds = 40;
    const totals = times.map(() => 0);
    for (let seed = 1; seed <= seeds; seed++) {
      const w = workload(
        [poisson(lambda, 600)],
        { distribution: "exponential", meanSeconds: 1 / mu },
        { seed },
      );
      times.forEach((t, k) => {
        totals[k] += onlineAt(w, t);
      });
    }
    times.forEach((t, k) => {
      const expected = (lambda / mu) * (1 - Math.exp(-mu * t));
      const average = totals[k] / seeds;
      expect(Math.abs(average - expected)).toBeLessThan(4 * Math.sqrt(expected / seeds));
    });
  });

  it.each<[string, SessionLengthOptions]>([
    ["exponential", { distribution: "exponential", meanSeconds: 120 }],
    ["pareto", { distribution: "pareto", meanSeconds: 120, shape: 1.8 }],
    ["weibull", { distribution: "weibull", meanSeconds: 120, shape: 0.6 }],
    ["lognormal", { distribution: "lognormal", meanSeconds: 120, sigma: 1.2 }],
    ["fixed", { distribution: "fixed", meanSeconds: 120 }],
  ])("a flash crowd of M leaves M P(S > t) online at time t (%s sessions)", (_name, session) => {
    // Online at t is binomial(M, P(S > t)); four standard deviations (plus one for rounding).
    const M = 20_000;
    const at = 50;
    const w = workload([{ type: "flash-crowd", count: M, atSeconds: at, overSeconds: 0 }], session);
    expect(w.size).toBe(M);
    for (const dt of [10, 60, 119, 121, 300, 900]) {
      const p = sessionSurvival(session, dt);
      const online = onlineAt(w, at + dt);
      expect(Math.abs(online - M * p)).toBeLessThanOrEqual(4 * Math.sqrt(M * p * (1 - p)) + 1);
    }
  });

  it("a flash crowd spread over a window joins uniformly inside it", () => {
    const w = workload([{ type: "flash-crowd", count: 10_000, atSeconds: 100, overSeconds: 20 }], {
      distribution: "fixed",
      meanSeconds: 1000,
    });
    const joins = Array.from(w.joinMicros, (j) => j / 1e6);
    expect(Math.min(...joins)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...joins)).toBeLessThan(120);
    // Each 2-second slice holds 1000 +- 30 (sd); allow five sd.
    const bins = new Array(10).fill(0);
    for (const j of joins) bins[Math.floor((j - 100) / 2)]++;
    for (const count of bins) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it("Poisson arrivals come at the configured rate, only inside their window", () => {
    const w = workload(
      [{ type: "poisson", ratePerSecond: 5, fromSeconds: 1000, untilSeconds: 5000 }],
      { distribution: "fixed", meanSeconds: 10 },
    );
    // 20 000 expected; Poisson sd 141; five sd.
    expect(Math.abs(w.size - 20_000)).toBeLessThan(710);
    expect(w.joinMicros[0]).toBeGreaterThanOrEqual(1000e6);
    expect(w.joinMicros[w.size - 1]).toBeLessThan(5000e6);
    // Inter-arrival gaps are exponential: the share longer than the mean is e^-1.
    let long = 0;
    for (let i = 1; i < w.size; i++) if (w.joinMicros[i] - w.joinMicros[i - 1] > 0.2e6) long++;
    const share = long / (w.size - 1);
    expect(Math.abs(share - Math.exp(-1))).toBeLessThan(5 * Math.sqrt((0.37 * 0.63) / w.size));
  });

  it("arrivals at or after the end of the run are left out", () => {
    const w = workload(
      [poisson(2, 1000)],
      { distribution: "fixed", meanSeconds: 5 },
      {
        durationSeconds: 500,
      },
    );
    expect(w.size).toBeGreaterThan(800);
    expect(w.joinMicros[w.size - 1]).toBeLessThan(500e6);
    // Sessions still running at the end keep their true leave time, past the end.
    expect(w.leaveMicros[w.size - 1]).toBe(w.joinMicros[w.size - 1] + 5e6);
  });
});

describe("session length distributions", () => {
  /** Variance of each distribution, from its textbook moments, in units of mean^2. */
  const relativeVariance: Record<string, (o: SessionLengthOptions) => number> = {
    fixed: () => 0,
    exponential: () => 1,
    // Pareto(alpha) with the mean fixed: Var = mean^2 / (alpha (alpha - 2)).
    pareto: (o) => {
      const a = (o as { shape: number }).shape;
      return 1 / (a * (a - 2));
    },
    // Weibull(k): E[S^2] / E[S]^2 = Gamma(1 + 2/k) / Gamma(1 + 1/k)^2.
    weibull: (o) => {
      const k = (o as { shape: number }).shape;
      return gamma(1 + 2 / k) / gamma(1 + 1 / k) ** 2 - 1;
    },
    // Lognormal(sigma): Var = mean^2 (e^(sigma^2) - 1).
    lognormal: (o) => Math.exp((o as { sigma: number }).sigma ** 2) - 1,
  };

  const CASES: SessionLengthOptions[] = [
    { distribution: "fixed", meanSeconds: 90 },
    { distribution: "exponential", meanSeconds: 90 },
    { distribution: "pareto", meanSeconds: 90, shape: 3 },
    { distribution: "weibull", meanSeconds: 90, shape: 0.6 },
    { distribution: "weibull", meanSeconds: 90, shape: 2 },
    { distribution: "lognormal", meanSeconds: 90, sigma: 1 },
  ];
  const N = 200_000;

  it("the gamma function matches known values", () => {
    expect(gamma(5)).toBeCloseTo(24, 10);
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 10);
    expect(gamma(1.5)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 10);
    expect(gamma(0.25)).toBeCloseTo(3.625609908221908, 8);
  });

  it("the normal CDF matches known values", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
  });

  it.each(CASES.map((o) => [`${o.distribution} ${JSON.stringify(o)}`, o] as const))(
    "the sample mean of %s matches the configured mean",
    (_name, options) => {
      const random = createStream(`sessions/${JSON.stringify(options)}`);
      let sum = 0;
      for (let i = 0; i < N; i++) sum += sampleSessionSeconds(options, random);
      const sd = options.meanSeconds * Math.sqrt(relativeVariance[options.distribution](options));
      // Five standard errors (exact for fixed).
      expect(Math.abs(sum / N - options.meanSeconds)).toBeLessThanOrEqual(
        5 * (sd / Math.sqrt(N)) + 1e-9,
      );
    },
  );

  it.each(CASES.map((o) => [`${o.distribution} ${JSON.stringify(o)}`, o] as const))(
    "sessionSurvival of %s matches the empirical survival function",
    (_name, options) => {
      const random = createStream(`survival/${JSON.stringify(options)}`);
      const samples = Float64Array.from({ length: N }, () => sampleSessionSeconds(options, random));
      samples.sort();
      // Kolmogorov-Smirnov: sup |S_n - S| stays under 1.95 / sqrt(n) with probability 0.999.
      // Checked on a grid that spans the bulk and the tail.
      let worst = 0;
      for (let k = 1; k <= 400; k++) {
        const t = (k / 400) * 8 * options.meanSeconds;
        const above = N - upperBound(samples, t);
        worst = Math.max(worst, Math.abs(above / N - sessionSurvival(options, t)));
      }
      expect(worst).toBeLessThan(1.95 / Math.sqrt(N));
      expect(sessionSurvival(options, 0)).toBe(1);
      expect(sessionSurvival(options, -5)).toBe(1);
    },
  );

  it("every distribution keeps its mean when the shape changes (offered load stays fixed)", () => {
    // The closed-form mean: integral of the survival function, numerically.
    for (const options of CASES) {
      if (options.distribution === "pareto" || options.distribution === "fixed") continue;
      let integral = 0;
      const step = options.meanSeconds / 2000;
      for (let t = step / 2; t < 60 * options.meanSeconds; t += step) {
        integral += sessionSurvival(options, t) * step;
      }
      expect(integral / options.meanSeconds).toBeCloseTo(1, 2);
    }
  });
});

/** Number of sorted values <= t. */
function upperBound(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

describe("capacity class mix", () => {
  it("assigns classes in their configured shares (chi-square bound)", () => {
    const w = workload([poisson(20, 1000)], { distribution: "fixed", meanSeconds: 10 });
    const counts = new Array(DEFAULT_PEER_CLASSES.length).fill(0);
    for (let i = 0; i < w.size; i++) {
      counts[w.classIndex[i]]++;
      const c = DEFAULT_PEER_CLASSES[w.classIndex[i]];
      if (w.uploadBitsPerSecond[i + 1] !== c.uploadBitsPerSecond) throw new Error("upload");
      if (w.downloadBitsPerSecond[i + 1] !== c.downloadBitsPerSecond) throw new Error("download");
    }
    let chi2 = 0;
    DEFAULT_PEER_CLASSES.forEach((c, k) => {
      const expected = c.share * w.size;
      chi2 += (counts[k] - expected) ** 2 / expected;
    });
    // Three degrees of freedom: P(chi2 > 16.27) = 0.001.
    expect(w.size).toBeGreaterThan(19_000);
    expect(chi2).toBeLessThan(16.27);
    // The source is node 0, with the capacity the run gives it.
    expect(w.uploadBitsPerSecond[0]).toBe(10e6);
  });

  it("a class with share 0 never appears and one with share 1 always does", () => {
    const classes: PeerClass[] = [
      { name: "none", share: 0, uploadBitsPerSecond: 1, downloadBitsPerSecond: 1 },
      { name: "all", share: 1, uploadBitsPerSecond: 2e6, downloadBitsPerSecond: 2e7 },
    ];
    const w = workload([poisson(5, 200)], { distribution: "fixed", meanSeconds: 10 }, { classes });
    expect(w.size).toBeGreaterThan(500);
    expect(new Set(w.classIndex)).toEqual(new Set([1]));
  });

  it("the abrupt-departure share is respected", () => {
    const w = workload([poisson(20, 1000)], { distribution: "fixed", meanSeconds: 10 });
    let abrupt = 0;
    for (let i = 0; i < w.size; i++) abrupt += w.abrupt[i];
    // Binomial(n, 0.5): five standard deviations.
    expect(Math.abs(abrupt - w.size / 2)).toBeLessThan(5 * Math.sqrt(w.size / 4));
  });
});

describe("trace arrivals", () => {
  it("honours a trace's join, leave and class exactly, drawing only missing leaves", () => {
    const scenario = loadScenario(resolve(fixtures, "valid.yaml"));
    const w = generateWorkload(
      {
        seed: scenario.seed,
        durationSeconds: scenario.durationSeconds,
        churn: scenario.churn,
        classes: scenario.peers.classes,
        latency: scenario.peers.latency,
      },
      scenario.source.uploadBitsPerSecond,
    );
    // trace.csv rows, sorted by join (ties keep file order); the row at 150 s is past the
    // 2-minute run and left out; the row without a leave lasts the fixed 20 s session.
    expect(Array.from(w.joinMicros)).toEqual([0.5e6, 1.25e6, 2e6, 2e6, 60e6]);
    expect(Array.from(w.leaveMicros)).toEqual([30e6, 21.25e6, 90.5e6, 45e6, 61e6]);
    const names = Array.from(w.classIndex, (c) => w.classes[c].name);
    expect(names).toEqual(["fast", "slow", "slow", "fast", "slow"]);
    expect(Array.from(w.uploadBitsPerSecond)).toEqual([
      scenario.source.uploadBitsPerSecond,
      2e6,
      256e3,
      256e3,
      2e6,
      256e3,
    ]);
  });

  it("rejects a trace naming a class the scenario does not have", () => {
    expect(() =>
      workload(
        [
          {
            type: "trace",
            format: "csv",
            file: "t.csv",
            rows: TraceTable.of([{ joinSeconds: 1, className: "huge" }]),
          },
        ],
        { distribution: "fixed", meanSeconds: 10 },
      ),
    ).toThrow("trace names unknown peer class 'huge' (known: 128k, 384k, 1M, 5M)");
  });
});
