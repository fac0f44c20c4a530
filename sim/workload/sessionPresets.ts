import type { OptionReader } from "../scenario/reader.ts";
import { gamma, resolveSessionLength, type SessionLengthOptions } from "./sessionLength.ts";

/** Names of the session-length presets fitted in published measurements. */
export const SESSION_PRESETS = ["pplive", "pplive-lognormal", "live-event"] as const;

/** One of {@link SESSION_PRESETS}. */
export type SessionPreset = (typeof SESSION_PRESETS)[number];

const MINUTE_SECONDS = 60;

/** PPLive Weibull fit: shape k. */
export const PPLIVE_WEIBULL_SHAPE = 0.6;
/** PPLive Weibull fit: scale lambda, seconds (53.89 minutes). */
export const PPLIVE_WEIBULL_SCALE_SECONDS = 53.89 * MINUTE_SECONDS;
/** PPLive lognormal fit: mu of ln(minutes). */
export const PPLIVE_LOGNORMAL_MU_MINUTES = 3.12;
/** PPLive lognormal fit: sigma of ln(minutes). */
export const PPLIVE_LOGNORMAL_SIGMA = 1.74;
/** Live-event preset: Pareto tail index alpha. */
export const LIVE_EVENT_PARETO_SHAPE = 1.5;
/** Live-event preset: Pareto scale (the shortest session), seconds. */
export const LIVE_EVENT_PARETO_SCALE_SECONDS = 2 * MINUTE_SECONDS;

/**
 * The session-length distribution of a preset, expressed with the mean-based parameters of
 * {@link SessionLengthOptions} (the conversion back to the published parameters is exact up to
 * rounding, and the tests check the published ones).
 *
 * - `pplive`: PPLive sessions from the P2P Trace Archive trace T14'07 (2 channels, 67,051
 *   sessions), fitted by a Weibull with shape 0.60 and scale 53.89 minutes (mean = scale *
 *   Gamma(1 + 1/shape), about 81.1 minutes).
 * - `pplive-lognormal`: the lognormal fit of the same trace, mu 3.12 and sigma 1.74 for the
 *   natural log of the session length in minutes (mean = e^(mu + sigma^2 / 2), about 102.9
 *   minutes).
 * - `live-event`: Sripanidkulchai, Maggs and Zhang (IMC 2004, "An analysis of live streaming
 *   workloads on the Internet", Akamai, 70 million requests) report that live session durations
 *   are heavy-tailed, but this project could not check the parameters of their fit. The preset
 *   therefore uses a Pareto with tail index 1.5 (between 1 and 2: a finite mean and an infinite
 *   variance, which is what "heavy-tailed" means in that literature) and a 2-minute minimum
 *   session, so the median is 3.2 minutes and the mean 6 minutes: a stated assumption in the
 *   shape that paper describes, not a fitted value.
 */
export function sessionPreset(preset: SessionPreset): SessionLengthOptions {
  switch (preset) {
    case "pplive":
      return {
        distribution: "weibull",
        shape: PPLIVE_WEIBULL_SHAPE,
        meanSeconds: PPLIVE_WEIBULL_SCALE_SECONDS * gamma(1 + 1 / PPLIVE_WEIBULL_SHAPE),
        preset,
      };
    case "pplive-lognormal": {
      const sigma = PPLIVE_LOGNORMAL_SIGMA;
      const meanMinutes = Math.exp(PPLIVE_LOGNORMAL_MU_MINUTES + (sigma * sigma) / 2);
      return {
        distribution: "lognormal",
        sigma,
        meanSeconds: meanMinutes * MINUTE_SECONDS,
        preset,
      };
    }
    case "live-event": {
      const alpha = LIVE_EVENT_PARETO_SHAPE;
      return {
        distribution: "pareto",
        shape: alpha,
        meanSeconds: (LIVE_EVENT_PARETO_SCALE_SECONDS * alpha) / (alpha - 1),
        preset,
      };
    }
  }
}

/**
 * Resolves `churn.session`: either `preset` (a fit from published measurements, on its own) or
 * a `distribution` with its parameters.
 */
export function resolveSession(reader: OptionReader): SessionLengthOptions {
  if (!reader.has("preset")) return resolveSessionLength(reader);
  const preset = reader.choice("preset", SESSION_PRESETS);
  for (const key of ["distribution", "mean", "shape", "sigma"]) {
    if (reader.has(key)) {
      throw reader.error(key, `cannot be combined with 'preset' (${preset} fixes it)`);
    }
  }
  return sessionPreset(preset);
}
