import type { RandomStream } from "../engine/random.ts";
import type { OptionReader } from "../scenario/reader.ts";

/** Names of the supported session-length distributions. */
export const SESSION_DISTRIBUTIONS = [
  "fixed",
  "exponential",
  "pareto",
  "weibull",
  "lognormal",
] as const;

/**
 * How long a viewer stays. Every distribution is parameterised by its mean, so that scenarios
 * can swap the shape while keeping the offered load (arrival rate times mean session) fixed.
 * - `fixed`: every session lasts `meanSeconds`.
 * - `exponential`: memoryless, rate 1 / mean.
 * - `pareto`: heavy-tailed (Sripanidkulchai et al., IMC 2004, saw heavy tails in live
 *   streaming); `shape` (alpha) must exceed 1 for the mean to exist; scale = mean (alpha - 1) / alpha.
 * - `weibull`: `shape` k; scale = mean / Gamma(1 + 1/k).
 * - `lognormal`: `sigma` of the underlying normal; mu = ln(mean) - sigma^2 / 2.
 */
export type SessionLengthOptions = (
  | { distribution: "fixed"; meanSeconds: number }
  | { distribution: "exponential"; meanSeconds: number }
  | { distribution: "pareto"; meanSeconds: number; shape: number }
  | { distribution: "weibull"; meanSeconds: number; shape: number }
  | { distribution: "lognormal"; meanSeconds: number; sigma: number }
) & {
  /** The measured preset these parameters come from, if any (see sessionPresets.ts). */
  preset?: string;
};

/** Default session length: exponential with a 10-minute mean. */
export const DEFAULT_SESSION_LENGTH: SessionLengthOptions = {
  distribution: "exponential",
  meanSeconds: 600,
};

/** Resolves `churn.session` given as a `distribution` with its parameters. */
export function resolveSessionLength(reader: OptionReader): SessionLengthOptions {
  const distribution = reader.choice(
    "distribution",
    SESSION_DISTRIBUTIONS,
    DEFAULT_SESSION_LENGTH.distribution,
  );
  const meanSeconds = reader.durationSeconds("mean", DEFAULT_SESSION_LENGTH.meanSeconds, {
    above: 0,
  });
  switch (distribution) {
    case "fixed":
    case "exponential":
      return { distribution, meanSeconds };
    case "pareto":
      return { distribution, meanSeconds, shape: reader.number("shape", 1.5, { above: 1 }) };
    case "weibull":
      return { distribution, meanSeconds, shape: reader.number("shape", 0.6, { above: 0 }) };
    case "lognormal":
      return { distribution, meanSeconds, sigma: reader.number("sigma", 1.0, { above: 0 }) };
  }
}

/** Lanczos approximation of the gamma function (relative error below 1e-13 for x > 0). */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  const y = x - 1;
  let sum = c[0];
  for (let i = 1; i < g + 2; i++) sum += c[i] / (y + i);
  const t = y + g + 0.5;
  return Math.sqrt(2 * Math.PI) * t ** (y + 0.5) * Math.exp(-t) * sum;
}

/** A standard normal draw (Box-Muller; uses two uniforms, discards the second normal). */
export function standardNormal(random: RandomStream): number {
  const u1 = 1 - random.next();
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Draws one session length in seconds. */
export function sampleSessionSeconds(options: SessionLengthOptions, random: RandomStream): number {
  const mean = options.meanSeconds;
  switch (options.distribution) {
    case "fixed":
      return mean;
    case "exponential":
      return -mean * Math.log(1 - random.next());
    case "pareto": {
      const scale = (mean * (options.shape - 1)) / options.shape;
      return scale / (1 - random.next()) ** (1 / options.shape);
    }
    case "weibull": {
      const scale = mean / gamma(1 + 1 / options.shape);
      return scale * (-Math.log(1 - random.next())) ** (1 / options.shape);
    }
    case "lognormal": {
      const mu = Math.log(mean) - (options.sigma * options.sigma) / 2;
      return Math.exp(mu + options.sigma * standardNormal(random));
    }
  }
}

/** P(S > t): the share of sessions still running `t` seconds after they began. */
export function sessionSurvival(options: SessionLengthOptions, t: number): number {
  if (t <= 0) return 1;
  const mean = options.meanSeconds;
  switch (options.distribution) {
    case "fixed":
      return t < mean ? 1 : 0;
    case "exponential":
      return Math.exp(-t / mean);
    case "pareto": {
      const scale = (mean * (options.shape - 1)) / options.shape;
      return t < scale ? 1 : (scale / t) ** options.shape;
    }
    case "weibull": {
      const scale = mean / gamma(1 + 1 / options.shape);
      return Math.exp(-((t / scale) ** options.shape));
    }
    case "lognormal": {
      const mu = Math.log(mean) - (options.sigma * options.sigma) / 2;
      return 1 - normalCdf((Math.log(t) - mu) / options.sigma);
    }
  }
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 erf approximation, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
