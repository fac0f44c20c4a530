import { describe, expect, it } from "vitest";
import { DEFAULT_PEER_CLASSES } from "../../sim/network/peerClasses.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import { normalCdf, type SessionLengthOptions } from "../../sim/workload/sessionLength.ts";
import { type SessionPreset, sessionPreset } from "../../sim/workload/sessionPresets.ts";
import { generateWorkload } from "../../sim/workload/workload.ts";

/**
 * Session lengths (seconds) of a long simulated run: Poisson arrivals at 20/s for 5000 s, about
 * 100,000 sessions, drawn exactly as a scenario's workload draws them (leave times past the end
 * of the run are kept, so no session is cut short).
 */
function simulatedSessions(session: SessionLengthOptions, seed = 11): Float64Array {
  const w = generateWorkload(
    {
      seed,
      durationSeconds: 5000,
      churn: {
        arrivals: [{ type: "poisson", ratePerSecond: 20, fromSeconds: 0, untilSeconds: 5000 }],
        session,
        abruptShare: 0.5,
        detectionDelaySeconds: 5,
      },
      classes: DEFAULT_PEER_CLASSES,
      latency: { model: "constant", oneWaySeconds: 0.01 },
    },
    10e6,
  );
  const lengths = new Float64Array(w.size);
  for (let i = 0; i < w.size; i++) lengths[i] = (w.leaveMicros[i] - w.joinMicros[i]) / 1e6;
  return lengths.sort();
}

/** The Kolmogorov-Smirnov statistic sup |F_n(t) - F(t)| of sorted samples against a CDF. */
function ksStatistic(sorted: Float64Array, cdf: (t: number) => number): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/**
 * Critical value of the KS statistic at level alpha = 0.001 (asymptotic: sqrt(-ln(alpha/2)/2) /
 * sqrt(n) = 1.949 / sqrt(n)): a correct generator fails this test once in a thousand seeds.
 */
const ksCritical = (n: number) => Math.sqrt(-Math.log(0.001 / 2) / 2) / Math.sqrt(n);

/** The published CDFs, written from the papers' own parameters (t in seconds). */
const PUBLISHED: Record<SessionPreset, (t: number) => number> = {
  // PPLive T14'07: Weibull, shape 0.60, scale 53.89 minutes.
  pplive: (t) => 1 - Math.exp(-((t / 60 / 53.89) ** 0.6)),
  // PPLive T14'07: lognormal of the length in minutes, mu 3.12, sigma 1.74.
  "pplive-lognormal": (t) => normalCdf((Math.log(t / 60) - 3.12) / 1.74),
  // Live-event preset (stated assumption): Pareto, tail index 1.5, minimum 2 minutes.
  "live-event": (t) => (t < 120 ? 0 : 1 - (120 / t) ** 1.5),
};

describe("measured session presets", () => {
  it.each(Object.keys(PUBLISHED) as SessionPreset[])(
    "simulated %s session lengths match the published fit (Kolmogorov-Smirnov, alpha 0.001)",
    (preset) => {
      const sorted = simulatedSessions(sessionPreset(preset));
      expect(sorted.length).toBeGreaterThan(95_000);
      expect(ksStatistic(sorted, PUBLISHED[preset])).toBeLessThan(ksCritical(sorted.length));
    },
  );

  it("the same test rejects a nearby wrong fit (it has the power to fail)", () => {
    const sorted = simulatedSessions(sessionPreset("pplive"));
    const wrongShape = (t: number) => 1 - Math.exp(-((t / 60 / 53.89) ** 0.66));
    const wrongScale = (t: number) => 1 - Math.exp(-((t / 60 / 58) ** 0.6));
    expect(ksStatistic(sorted, wrongShape)).toBeGreaterThan(2 * ksCritical(sorted.length));
    expect(ksStatistic(sorted, wrongScale)).toBeGreaterThan(2 * ksCritical(sorted.length));
  });

  it("the presets have the means their published parameters imply", () => {
    // Weibull mean = scale Gamma(1 + 1/k) = 53.89 min * Gamma(2.6667) = 53.89 * 1.50458 min.
    expect(sessionPreset("pplive").meanSeconds / 60).toBeCloseTo(53.89 * 1.504575, 2);
    // Lognormal mean = e^(mu + sigma^2/2) = e^(3.12 + 1.5138) min.
    expect(sessionPreset("pplive-lognormal").meanSeconds / 60).toBeCloseTo(
      Math.exp(3.12 + 1.74 ** 2 / 2),
      6,
    );
    // Pareto mean = scale alpha / (alpha - 1) = 2 min * 3.
    expect(sessionPreset("live-event").meanSeconds).toBe(360);
  });
});

const SCENARIO = (session: string) => `
duration: 10min
churn:
  session: ${session}
strategies:
  - type: client-server
`;

describe("session presets in a scenario", () => {
  it("`session: { preset: pplive }` resolves to the PPLive Weibull fit", () => {
    const scenario = parseScenario(SCENARIO("{ preset: pplive }"), "s.yaml");
    expect(scenario.churn.session).toEqual(sessionPreset("pplive"));
    expect(scenario.churn.session).toMatchObject({ distribution: "weibull", shape: 0.6 });
  });

  it("rejects a preset combined with its own parameters, naming the field", () => {
    expect(() =>
      parseScenario(SCENARIO("{ preset: pplive-lognormal, sigma: 2 }"), "s.yaml"),
    ).toThrow(
      "s.yaml:4: churn.session.sigma: cannot be combined with 'preset' (pplive-lognormal fixes it)",
    );
  });

  it("rejects an unknown preset with a suggestion", () => {
    expect(() => parseScenario(SCENARIO("{ preset: ppliv }"), "s.yaml")).toThrow(
      "s.yaml:4: churn.session.preset: must be one of pplive, pplive-lognormal, live-event; got 'ppliv' (did you mean 'pplive'?)",
    );
  });
});
